using System.Globalization;
using System.Net;
using Npgsql;

namespace TicketToken.Data.Seeding;

/// <summary>
/// Hand-written, coherent generators for the core of the platform: tenants, users, venues and their staff, layouts
/// and settings, events with schedules, capacity, pricing and ticket types, discounts, orders with items and
/// discounts, tickets, payments, refunds, chargebacks, NFT mints, scans, resale listings and transfers, royalties,
/// settlements and venue balances. Money is in integer cents where the schema stores cents and in exact decimals
/// (cents / 100) where it stores numeric dollars.
/// </summary>
internal sealed class CoreSeeder
{
    private const string PasswordHash = "$2b$12$Zb0n2x3qJ8o3vQy8rVwJ0eQv0pYx5m8a9Jc3t1Lh6u7kq2D4f5G6e"; // bcrypt of a throwaway demo password

    private static readonly string[] FirstNames =
    [
        "Avery", "Jordan", "Maya", "Liam", "Noah", "Sofia", "Ethan", "Olivia", "Lucas", "Chloe", "Mateo", "Zoe", "Elijah", "Priya",
        "Kenji", "Amara", "Isla", "Omar", "Grace", "Leo", "Hana", "Diego", "Nora", "Samir",
    ];

    private static readonly string[] LastNames =
    [
        "Carter", "Nguyen", "Patel", "Garcia", "Okafor", "Johnson", "Kim", "Rossi", "Schmidt", "Lopez", "Brown", "Silva", "Haddad",
        "Walker", "Ito", "Moreau", "Novak", "Reyes", "Cohen", "Adeyemi",
    ];

    private static readonly string[] CategoryColors = ["#7C3AED", "#059669", "#F59E0B", "#DC2626", "#2563EB", "#DB2777", "#0891B2", "#4B5563"];

    private readonly NpgsqlConnection _conn;
    private readonly DbCatalog _catalog;
    private readonly SeedContext _ctx;
    private readonly CoreWorld _w;
    private readonly bool _bulk;
    private readonly bool _mirrorStats;
    private readonly IProgress<SeedProgress>? _progress;
    private readonly Func<int> _nextStage;
    private readonly int _stageCount;
    private readonly ParallelLoad? _parallel;
    private bool _replicaActive;

    /// <summary>Where the time went: one entry per COPY and per index rebuild, in order.</summary>
    public List<SeedPhase> Phases { get; } = [];

    // Bulk mode: tables emptied by TRUNCATE in this transaction (they were empty already), loaded with COPY FREEZE.
    private readonly HashSet<string> _fresh = new(StringComparer.Ordinal);

    // Mirrors of what the platform's triggers maintain, used when bulk mode switches triggers off.
    private long[]? _activeTickets;
    private long[]? _spentCents;

    // Every order as the dry run described it: the tables after it (items, tickets, payments, refunds, scans,
    // notifications, …) walk the orders about ten times, and describing one was 8 % of the large seed's client CPU.
    // About 200 bytes an order (200 MB at large scale), in the order they are written (CoreWorld.OrderAt). Only the
    // orders table, loaded before the dry run, describes its own.
    private OrderFacts[]? _orders;

    /// <param name="bulk">Load every bulk table with triggers and FK checks off (large scale, superuser).</param>
    /// <param name="mirrorStats">
    /// Load tickets and payment_transactions with triggers off and write the user statistics those triggers maintain
    /// (ticket_purchase_count, total_spent, lifetime_value) directly: each of their rows would otherwise update (and
    /// audit) a users row. Needs a superuser.
    /// </param>
    /// <param name="parallel">
    /// Several streams (bulk mode): the tables it owns are loaded by its jobs, each in a transaction of its own, while
    /// this connection writes the rest; SQL that reads the loaded tables waits for them.
    /// </param>
    public CoreSeeder(NpgsqlConnection conn, DbCatalog catalog, SeedContext ctx, CoreWorld world, bool bulk, bool mirrorStats, IProgress<SeedProgress>? progress, Func<int> nextStage, int stageCount, ParallelLoad? parallel = null)
    {
        _parallel = parallel;
        _conn = conn;
        _catalog = catalog;
        _ctx = ctx;
        _w = world;
        _bulk = bulk;
        _mirrorStats = mirrorStats || bulk;
        _progress = progress;
        _nextStage = nextStage;
        _stageCount = stageCount;
    }

    public static IReadOnlyList<string> Tables { get; } =
    [
        "tenants", "event_categories", "users", "venues", "venue_layouts", "venue_settings", "venue_staff", "user_venue_roles",
        "events", "event_schedules", "event_capacity", "event_pricing", "ticket_types", "discounts", "orders", "order_items",
        "order_discounts", "tickets", "payment_transactions", "payment_refunds", "order_refunds", "payment_chargebacks",
        "nft_mints", "ticket_scans", "notification_history", "marketplace_listings", "marketplace_transfers", "ticket_transfers", "royalty_distributions",
        "refunds", "settlement_batches", "venue_balances", "venue_verifications", "bank_verifications", "ofac_checks", "risk_flags",
        "compliance_documents", "tax_records", "form_1099_records",
    ];

    /// <summary>
    /// The tables that receive the bulk of the rows at large scale (100k–3M rows each). In bulk mode each is
    /// TRUNCATEd at the start of the transaction when it and every table referencing it (transitively) are empty, so
    /// that its COPY can be written with FREEZE and, on a server with <c>wal_level = minimal</c>, without WAL.
    /// </summary>
    public static IReadOnlyList<string> BulkTables { get; } =
    [
        "users", "orders", "order_items", "order_discounts", "tickets", "payment_transactions", "payment_refunds", "order_refunds",
        "payment_chargebacks", "nft_mints", "ticket_scans", "notification_history", "marketplace_listings", "marketplace_transfers",
        "ticket_transfers", "royalty_distributions", "refunds",
    ];

    public long RowsWritten { get; private set; }

    /// <summary>Tables truncated (being empty) at the start of a bulk run.</summary>
    public IReadOnlyCollection<string> TruncatedTables => _fresh;

    private DateTime A => _ctx.Anchor;

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>cents / 100m</c> without a decimal division (2 % of the large seed's client CPU): the same value and the same
    /// scale, which the division leaves without trailing zeros (1200 -> 12, 1230 -> 12.3, 1234 -> 12.34).
    /// </summary>
    internal static decimal Dollars(long cents)
    {
        if (cents % 100 == 0)
        {
            return cents / 100;
        }

        var tenth = cents % 10 == 0;
        var magnitude = cents < 0 ? unchecked(0UL - (ulong)cents) : (ulong)cents;
        if (tenth)
        {
            magnitude /= 10;
        }

        return new decimal(unchecked((int)(uint)magnitude), (int)(uint)(magnitude >> 32), 0, cents < 0, tenth ? (byte)1 : (byte)2);
    }

    public async Task SeedAsync(CancellationToken ct)
    {
        if (_bulk && _parallel is null)
        {
            await TruncateEmptyBulkTablesAsync(ct);
        }

        var ordersFirst = _parallel is not null && _parallel.Owns("orders");
        if (ordersFirst)
        {
            // The longest job (the search trigger, then 34 indexes, the GIN one among them) needs nothing from the dry
            // run: it starts on a stream at once, while this thread makes the pass the other tables need.
            await OrdersAsync(ct);
        }

        DryRun();
        await TenantsAsync(ct);
        await CategoriesAsync(ct);
        await UsersAsync(ct);
        await VenuesAsync(ct);
        await VenueDetailsAsync(ct);
        await EventsAsync(ct);
        await DiscountsAsync(ct);
        if (!ordersFirst)
        {
            await OrdersAsync(ct);
        }

        await OrderItemsAsync(ct);
        await OrderDiscountsAsync(ct);
        await TicketsAsync(ct);
        await PaymentTransactionsAsync(ct);
        await RefundsAsync(ct);
        await ChargebacksAsync(ct);
        await NftMintsAsync(ct);
        await ScansAsync(ct);
        await NotificationsAsync(ct);
        await MarketplaceAsync(ct);
        await SettlementsAsync(ct);
        await ComplianceAsync(ct);
        if (_parallel is not null)
        {
            await _parallel.WaitForTablesAsync();
        }

        await ReplicaAsync(false, ct);
    }

    /// <summary>
    /// Bulk mode: TRUNCATEs each of <see cref="BulkTables"/> whose table and referencing tables (transitively: TRUNCATE
    /// refuses a table referenced by a foreign key unless the referencing tables are truncated with it) hold no rows.
    /// Nothing is lost (they are empty, checked under an ACCESS EXCLUSIVE lock), but the tables get new files in this
    /// transaction: COPY can then use FREEZE (no hint-bit rewrites and no anti-wraparound freeze later), and with
    /// <c>wal_level = minimal</c> PostgreSQL writes neither their rows nor their index entries to the WAL (it syncs
    /// the files at commit instead). A table that already holds rows is left alone and loaded normally.
    /// </summary>
    private async Task TruncateEmptyBulkTablesAsync(CancellationToken ct)
    {
        var closures = BulkClosures(_catalog);
        var nonEmpty = await LockBulkTablesAsync(_conn, _catalog, closures, ct);
        foreach (var closure in closures.Where(c => !c.Overlaps(nonEmpty)))
        {
            _fresh.UnionWith(closure);
        }

        if (_fresh.Count == 0)
        {
            return;
        }

        var truncate = string.Join(", ", _fresh.Order(StringComparer.Ordinal).Select(t => _catalog[t].QuotedName));
        await using var cmd = new NpgsqlCommand($"TRUNCATE {truncate}", _conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Locks every table of <paramref name="closures"/> in ACCESS EXCLUSIVE mode (in the connection's transaction) and
    /// returns those that hold rows.
    /// </summary>
    internal static async Task<HashSet<string>> LockBulkTablesAsync(NpgsqlConnection conn, DbCatalog catalog, IEnumerable<HashSet<string>> closures, CancellationToken ct)
    {
        var all = closures.SelectMany(c => c).Distinct().Order(StringComparer.Ordinal).ToList();
        var nonEmpty = new HashSet<string>(StringComparer.Ordinal);
        if (all.Count == 0)
        {
            return nonEmpty;
        }

        await using (var lockCmd = new NpgsqlCommand($"LOCK TABLE {string.Join(", ", all.Select(t => catalog[t].QuotedName))} IN ACCESS EXCLUSIVE MODE", conn))
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        var probe = string.Join(" UNION ALL ", all.Select((t, i) => $"SELECT {S(i)} WHERE EXISTS (SELECT 1 FROM {catalog[t].QuotedName})"));
        await using var probeCmd = new NpgsqlCommand(probe, conn);
        await using var r = await probeCmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            nonEmpty.Add(all[r.GetInt32(0)]);
        }

        return nonEmpty;
    }

    /// <summary>
    /// For each of <see cref="BulkTables"/>: the table and every table that references it, transitively (what a
    /// TRUNCATE of it must include while the foreign keys exist).
    /// </summary>
    internal static List<HashSet<string>> BulkClosures(DbCatalog catalog)
    {
        var referencedBy = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in catalog.Tables.Values)
        {
            foreach (var fk in table.ForeignKeys.Where(fk => !fk.IsSelfReference))
            {
                if (!referencedBy.TryGetValue(fk.RefTable, out var list))
                {
                    referencedBy[fk.RefTable] = list = [];
                }

                list.Add(table.Name);
            }
        }

        HashSet<string> Closure(string root)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { root };
            var queue = new Queue<string>([root]);
            while (queue.TryDequeue(out var t))
            {
                foreach (var child in referencedBy.GetValueOrDefault(t) ?? [])
                {
                    if (seen.Add(child))
                    {
                        queue.Enqueue(child);
                    }
                }
            }

            return seen;
        }

        return [.. BulkTables.Where(catalog.HasTable).Select(Closure)];
    }

    /// <summary>One pass over the order stream for the aggregates the dimension rows need (sold counts, usage, user stats).</summary>
    private void DryRun()
    {
        if (_mirrorStats)
        {
            _activeTickets = new long[_w.UserCount];
            _spentCents = new long[_w.UserCount];
        }

        var o = default(OrderFacts);
        var orders = new OrderFacts[_w.OrderCount];
        for (long p = 0; p < _w.OrderCount; p++)
        {
            _w.Describe(_w.OrderAt(p), ref o);
            orders[p] = o;
            if (o.Discount is not null && o.Status != "EXPIRED")
            {
                o.Discount.TimesUsed++;
            }

            if (_spentCents is not null && o.Paid && o.Refund == RefundKind.None)
            {
                _spentCents[o.UserIndex] += o.Total;
            }
        }

        _w.PlanTickets(orders);
        var t = default(TicketFacts);
        foreach (ref readonly var paid in orders.AsSpan())
        {
            if (!paid.Paid)
            {
                continue;
            }

            for (var k = 0; k < paid.TicketCount; k++)
            {
                _w.DescribeTicket(paid, k, ref t);
                if (t.Status != "refunded")
                {
                    t.Type.Sold++;
                }

                if (_activeTickets is not null && t.Status == "active")
                {
                    _activeTickets[t.Owner]++;
                }
            }
        }

        Volatile.Write(ref _orders, orders);
    }

    private async Task ReplicaAsync(bool on, CancellationToken ct)
    {
        if (on == _replicaActive)
        {
            return;
        }

        await using var cmd = new NpgsqlCommand(on ? "SET LOCAL session_replication_role = replica" : "SET LOCAL session_replication_role = origin", _conn);
        await cmd.ExecuteNonQueryAsync(ct);
        _replicaActive = on;
    }

    /// <summary>Streams rows into a table. <paramref name="replica"/>: skip triggers and FK checks (bulk mode only).</summary>
    private async Task CopyAsync(string table, string[] columns, IEnumerable<object?[]> rows, long expected, bool replica, CancellationToken ct)
    {
        var stage = _nextStage();
        if (_parallel is not null && _parallel.Owns(table))
        {
            _parallel.Enqueue(table, columns, rows, expected, replica, rebuildIndexes: WorthRebuildingIndexes(expected), stage, _stageCount);
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await ReplicaAsync(replica, ct);
        _progress?.Report(new SeedProgress(table, 0, expected, stage, _stageCount));
        var deferred = _bulk && WorthRebuildingIndexes(expected) ? await DropSecondaryIndexesAsync(table, ct) : [];
        await using var writer = await CopyTableWriter.OpenAsync(_conn, _catalog[table], columns, preferBinary: true, ct, freeze: _fresh.Contains(table));
        var n = await writer.WriteAllAsync(rows, table, expected, stage, _stageCount, _progress, ct);
        RowsWritten += n;
        Phases.Add(new SeedPhase($"{table} (copy)", clock.Elapsed, n));
        if (deferred.Count > 0)
        {
            _progress?.Report(new SeedProgress(table, n, n + 1, stage, _stageCount));
            clock.Restart();
            await RecreateIndexesAsync(deferred, ct);
            Phases.Add(new SeedPhase($"{table} ({deferred.Count} indexes)", clock.Elapsed, 0));
        }

        _progress?.Report(new SeedProgress(table, n, n, stage, _stageCount));
    }

    /// <summary>Bulk mode drops and rebuilds the indexes of tables of at least 2 % of the order count.</summary>
    private bool WorthRebuildingIndexes(long expected) => expected * 50 >= _w.OrderCount;

    /// <summary>
    /// Bulk mode: drops the indexes of a table that back no constraint (partial ones too: measured, maintaining them
    /// row by row costs more than rebuilding), so COPY maintains only the primary key and unique constraints; <see cref="RecreateIndexesAsync"/> builds them again from their own definitions (a sorted
    /// build is far cheaper than millions of random inserts). All inside the seeding transaction.
    /// </summary>
    private Task<List<string>> DropSecondaryIndexesAsync(string table, CancellationToken ct) =>
        ParallelLoad.DropIndexesAsync(_conn, table, constraints: false, ct);

    private async Task RecreateIndexesAsync(List<string> definitions, CancellationToken ct)
    {
        await using (var mem = new NpgsqlCommand(ParallelLoad.DefaultBuildMemory, _conn))
        {
            await mem.ExecuteNonQueryAsync(ct);
        }

        foreach (var def in definitions)
        {
            await using var create = new NpgsqlCommand(def, _conn) { CommandTimeout = 0 };
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    private Task<long> ExecAsync(string table, string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken ct) =>
        ExecAsync(table, sql, parameters, countRows: true, ct);

    /// <param name="countRows">False for work tables of the seed itself (not platform rows: not in <see cref="RowsWritten"/>).</param>
    private async Task<long> ExecAsync(string table, string sql, Action<NpgsqlParameterCollection> parameters, bool countRows, CancellationToken ct)
    {
        if (_parallel is not null)
        {
            // SQL-derived rows may read tables loaded by the streams: wait until those it names are committed.
            await _parallel.WaitForTablesReadByAsync(sql);
        }

        var stage = _nextStage();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await ReplicaAsync(false, ct);
        await using var cmd = new NpgsqlCommand(sql, _conn);
        parameters(cmd.Parameters);
        var n = await cmd.ExecuteNonQueryAsync(ct);
        if (countRows)
        {
            RowsWritten += n;
        }

        Phases.Add(new SeedPhase($"{table} ({(countRows ? "insert" : "work table")})", clock.Elapsed, countRows ? n : 0));
        _progress?.Report(new SeedProgress(table, n, n, stage, _stageCount));
        return n;
    }

    // ---------------------------------------------------------------- tenants, users, venues

    private Task TenantsAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Rows()
        {
            foreach (var t in _w.Tenants)
            {
                var created = A.AddDays(-400);
                yield return [t.Id, t.Name, t.Slug, "active", $$"""{"plan": "enterprise", "branding": {"primary_color": "#5B21B6"}, "demo": true, "support_email": "support@{{t.Slug}}.example"}""", created, created];
            }
        }

        return CopyAsync("tenants", ["id", "name", "slug", "status", "settings", "created_at", "updated_at"], Rows(), _w.Tenants.Count, false, ct);
    }

    private async Task CategoriesAsync(CancellationToken ct)
    {
        // Categories are global (no tenant): insert the missing ones and use whatever id each slug has.
        var stage = _nextStage();
        for (var i = 0; i < CoreWorld.Categories.Length; i++)
        {
            var name = CoreWorld.Categories[i];
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO event_categories (id, name, slug, description, icon, color, display_order, is_active, is_featured, created_at, updated_at)
                VALUES (@id, @name, @slug, @desc, @icon, @color, @ord, true, @featured, @at, @at)
                ON CONFLICT (slug) DO NOTHING
                """, _conn);
            cmd.Parameters.AddWithValue("id", _w.CategoryIds[i]);
            cmd.Parameters.AddWithValue("name", name);
            cmd.Parameters.AddWithValue("slug", name.ToLowerInvariant());
            cmd.Parameters.AddWithValue("desc", $"{name} events");
            cmd.Parameters.AddWithValue("icon", name.ToLowerInvariant());
            cmd.Parameters.AddWithValue("color", CategoryColors[i]);
            cmd.Parameters.AddWithValue("ord", i);
            cmd.Parameters.AddWithValue("featured", i < 3);
            cmd.Parameters.AddWithValue("at", A.AddDays(-500));
            RowsWritten += await cmd.ExecuteNonQueryAsync(ct);
        }

        await using (var cmd = new NpgsqlCommand("SELECT slug, id FROM event_categories WHERE slug = ANY(@slugs)", _conn))
        {
            cmd.Parameters.AddWithValue("slugs", CoreWorld.Categories.Select(c => c.ToLowerInvariant()).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var map = new Dictionary<string, Guid>(StringComparer.Ordinal);
            while (await r.ReadAsync(ct))
            {
                map[r.GetString(0)] = r.GetGuid(1);
            }

            for (var i = 0; i < CoreWorld.Categories.Length; i++)
            {
                _w.CategoryIds[i] = map[CoreWorld.Categories[i].ToLowerInvariant()];
            }
        }

        _progress?.Report(new SeedProgress("event_categories", CoreWorld.Categories.Length, CoreWorld.Categories.Length, stage, _stageCount));
    }

    private int TenantOfUser(long u)
    {
        if (u < CoreWorld.AdminCount)
        {
            return 0;
        }

        if (u < _w.CustomerBase)
        {
            return _w.Venues[(int)((u - CoreWorld.AdminCount) / CoreWorld.StaffPerVenue)].Tenant;
        }

        for (var t = _w.Tenants.Count - 1; t >= 0; t--)
        {
            if (u >= _w.Tenants[t].CustomerStart)
            {
                return t;
            }
        }

        return 0;
    }

    private static string Role(long u, int customerBase) => u switch
    {
        0 => "superadmin",
        1 or 2 => "admin",
        _ when u < customerBase => ((u - CoreWorld.AdminCount) % CoreWorld.StaffPerVenue) switch { 0 => "venue_manager", 1 => "venue_staff", _ => "scanner" },
        _ => "user",
    };

    private Task UsersAsync(CancellationToken ct)
    {
        string[] cols =
        [
            "id", "tenant_id", "email", "password_hash", "email_verified", "email_verified_at", "username", "display_name", "first_name", "last_name",
            "date_of_birth", "phone", "phone_verified", "country_code", "city", "state_province", "postal_code", "timezone", "preferred_language",
            "status", "role", "permissions", "referral_code", "last_login_at", "login_count", "marketing_consent", "terms_accepted_at", "terms_version",
            "privacy_accepted_at", "privacy_version", "total_spent", "lifetime_value", "ticket_purchase_count", "events_attended", "loyalty_points",
            "is_active", "name", "metadata", "created_at", "updated_at", "last_password_change",
        ];

        IEnumerable<object?[]> Rows()
        {
            var row = new object?[cols.Length];
            for (long u = 0; u < _w.UserCount; u++)
            {
                var rng = Rng.For(_ctx.Seed, "user", u);
                var first = FirstNames[rng.Next(FirstNames.Length)];
                var last = LastNames[rng.Next(LastNames.Length)];
                var role = Role(u, _w.CustomerBase);
                var tenant = _w.Tenants[TenantOfUser(u)];
                var created = A.AddDays(-30 - rng.Next(700)).AddMinutes(rng.Next(1440));
                var status = u < _w.CustomerBase ? "ACTIVE" : rng.Chance(0.02) ? "SUSPENDED" : rng.Chance(0.05) ? "PENDING" : "ACTIVE";
                var city = _w.Venues[(int)(u % _w.Venues.Count)];
                var spent = _spentCents is null ? 0 : _spentCents[u];
                var email = role == "user"
                    ? $"{first}.{last}.{S(u)}@{tenant.Slug}.example".ToLowerInvariant()
                    : $"{role.Replace('_', '.')}.{S(u)}@{tenant.Slug}.example".ToLowerInvariant();
                row[0] = _w.UserId(u);
                row[1] = tenant.Id;
                row[2] = email;
                row[3] = PasswordHash;
                row[4] = status != "PENDING";
                row[5] = status != "PENDING" ? created.AddMinutes(12) : null;
                row[6] = $"{first.ToLowerInvariant()}_{S(u)}";
                row[7] = $"{first} {last[0]}.";
                row[8] = first;
                row[9] = last;
                row[10] = new DateOnly(1962 + rng.Next(42), 1 + rng.Next(12), 1 + rng.Next(28));
                row[11] = "+1" + S(2000000000L + rng.NextLong(0, 7999999999L));
                row[12] = rng.Chance(0.6);
                row[13] = "US";
                row[14] = city.City;
                row[15] = city.State;
                row[16] = city.Zip;
                row[17] = city.Timezone;
                row[18] = "en";
                row[19] = status;
                row[20] = role;
                row[21] = role switch
                {
                    "superadmin" => """["*"]""",
                    "admin" => """["tenants:read", "venues:*", "events:*", "orders:*", "users:*", "compliance:*"]""",
                    "venue_manager" => """["venue:manage", "events:*", "orders:read", "staff:manage", "reports:read"]""",
                    "venue_staff" => """["orders:read", "tickets:read", "box_office:sell"]""",
                    "scanner" => """["tickets:scan"]""",
                    _ => "[]",
                };
                row[22] = "R" + S(u).PadLeft(8, '0') + _ctx.Seed.ToString("X", CultureInfo.InvariantCulture);
                row[23] = created.AddDays(rng.Next(30));
                row[24] = 1 + rng.Next(80);
                row[25] = rng.Chance(0.4);
                row[26] = created;
                row[27] = "2025-01";
                row[28] = created;
                row[29] = "2025-01";
                row[30] = Dollars(spent);
                row[31] = Dollars(spent);
                row[32] = _activeTickets is null ? 0 : (int)_activeTickets[u];
                row[33] = 0;
                row[34] = (int)(spent / 100);
                row[35] = status != "SUSPENDED";
                row[36] = $"{first} {last}";
                row[37] = $$"""{"source": "demo-seed", "signup_channel": "{{(rng.Chance(0.6) ? "web" : "ios")}}"}""";
                row[38] = created;
                row[39] = created;
                row[40] = created; // the column defaults to the wall clock
                yield return row;
            }
        }

        return CopyAsync("users", cols, Rows(), _w.UserCount, _bulk, ct);
    }

    private Task VenuesAsync(CancellationToken ct)
    {
        string[] cols =
        [
            "id", "tenant_id", "name", "slug", "description", "email", "phone", "website", "address_line1", "city", "state_province", "postal_code",
            "country_code", "latitude", "longitude", "timezone", "venue_type", "max_capacity", "standing_capacity", "seated_capacity", "vip_capacity",
            "business_name", "business_registration", "tax_id", "business_type", "wallet_address", "royalty_percentage", "status", "is_verified",
            "verified_at", "verification_level", "features", "amenities", "accessibility_features", "age_restriction", "cancellation_policy",
            "refund_policy", "transfer_deadline_hours", "social_media", "average_rating", "total_reviews", "total_events", "total_tickets_sold",
            "pricing_tier", "metadata", "tags", "created_by", "created_at", "updated_at",
        ];

        IEnumerable<object?[]> Rows()
        {
            foreach (var v in _w.Venues)
            {
                var rng = Rng.For(_ctx.Seed, "venue-row", v.Index);
                var created = A.AddDays(-380 + v.Index);
                var sold = _w.TicketTypes.Where(t => t.Event.Venue == v).Sum(t => t.Sold);
                var host = v.Slug.Replace("tt-demo-", string.Empty, StringComparison.Ordinal);
                yield return
                [
                    v.Id, _w.Tenants[v.Tenant].Id, v.Name, v.Slug, $"{v.Name} is a {v.Kind.ToLowerInvariant()} in {v.City}, {v.State} with room for {S(v.Capacity)} guests.",
                    $"boxoffice@{host}.example", "+1615555" + S(1000 + v.Index), $"https://{host}.example", $"{S(100 + (v.Index * 37))} Main Street", v.City, v.State, v.Zip,
                    "US", v.Lat + (v.Index * 0.001m), v.Lng - (v.Index * 0.001m), v.Timezone, v.Kind.ToLowerInvariant().Replace(' ', '_'), v.Capacity, v.Capacity * 6 / 10,
                    v.Capacity * 35 / 100, v.Capacity / 20, $"{v.Name} LLC", "LLC-" + S(100000 + v.Index), $"{S(10 + (v.Index % 89))}-{S(1000000 + v.Index)}", "llc",
                    rng.Base58(44), v.RoyaltyPercent, "active", v.Index % 7 != 6, v.Index % 7 != 6 ? created.AddDays(14) : null, v.Index % 7 != 6 ? "full" : "basic",
                    new[] { "mobile_tickets", "nft_tickets", "resale" }, """{"parking": true, "food": true, "bar": true, "coat_check": false}""",
                    new[] { "wheelchair_access", "assisted_listening" }, v.Kind == "Club" ? 21 : 0, "Full refund up to 7 days before the event.",
                    "Refunds are issued to the original payment method within 5-10 business days.", 2,
                    $$"""{"instagram": "@{{host}}", "x": "@{{host}}"}""", 3.8m + (rng.Next(12) / 10m), 40 + rng.Next(900), _w.EventsPerVenue, (int)sold,
                    v.Index % 5 == 0 ? "premium" : "standard", """{"source": "demo-seed"}""", new[] { v.Kind.ToLowerInvariant(), v.City.ToLowerInvariant() },
                    _w.UserId(CoreWorld.ManagerUser(v.Index)), created, created,
                ];
            }
        }

        return CopyAsync("venues", cols, Rows(), _w.Venues.Count, _bulk, ct);
    }

    private async Task VenueDetailsAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Layouts()
        {
            foreach (var v in _w.Venues)
            {
                var sections = $$"""[{"code": "GA", "name": "General Admission", "capacity": {{S(v.Capacity * 6 / 10)}}}, {"code": "RES", "name": "Reserved Seating", "capacity": {{S(v.Capacity * 35 / 100)}}}, {"code": "VIP", "name": "VIP", "capacity": {{S(v.Capacity / 20)}}}]""";
                yield return [LayoutId(v), v.Id, _w.Tenants[v.Tenant].Id, "Standard configuration", "mixed", sections, v.Capacity, true, A.AddDays(-370), A.AddDays(-370)];
            }
        }

        await CopyAsync("venue_layouts", ["id", "venue_id", "tenant_id", "name", "type", "sections", "capacity", "is_default", "created_at", "updated_at"], Layouts(), _w.Venues.Count, false, ct);

        IEnumerable<object?[]> Settings()
        {
            foreach (var v in _w.Venues)
            {
                yield return
                [
                    _ctx.Ids.Id("venue_settings", v.Index), v.Id, _w.Tenants[v.Tenant].Id, 8, true, true, true, false, true, 5m, 0m, 2.9m,
                    new[] { "card", "apple_pay", "google_pay" }, new[] { "USD" }, "weekly", 100m, 1.5m, true, 3, 48, 24, true, 10, 8, A.AddDays(-370), A.AddDays(-370),
                ];
            }
        }

        await CopyAsync(
            "venue_settings",
            [
                "id", "venue_id", "tenant_id", "max_tickets_per_order", "ticket_resale_allowed", "allow_print_at_home", "allow_mobile_tickets",
                "require_id_verification", "ticket_transfer_allowed", "service_fee_percentage", "facility_fee_amount", "processing_fee_percentage",
                "payment_methods", "accepted_currencies", "payout_frequency", "minimum_payout_amount", "max_resale_price_multiplier", "use_face_value_cap",
                "max_transfers_per_ticket", "resale_cutoff_hours", "listing_cutoff_hours", "anti_scalping_enabled", "purchase_cooldown_minutes",
                "max_tickets_per_buyer", "created_at", "updated_at",
            ],
            Settings(), _w.Venues.Count, false, ct);

        IEnumerable<object?[]> Staff()
        {
            foreach (var v in _w.Venues)
            {
                for (var k = 0; k < CoreWorld.StaffPerVenue; k++)
                {
                    var u = CoreWorld.AdminCount + (v.Index * CoreWorld.StaffPerVenue) + k;
                    var role = Role(u, _w.CustomerBase);
                    var (title, dept) = role switch
                    {
                        "venue_manager" => ("General Manager", "Management"),
                        "venue_staff" => ("Box Office Lead", "Box Office"),
                        _ => ("Entry Scanner", "Front of House"),
                    };
                    yield return
                    [
                        _ctx.Ids.Id("venue_staff", u), v.Id, _w.UserId(u), role, role == "venue_manager" ? new[] { "*" } : new[] { role == "scanner" ? "tickets:scan" : "orders:read" },
                        dept, title, role == "scanner" ? "part_time" : "full_time", DateOnly.FromDateTime(A.AddDays(-360)), true,
                        new[] { role == "scanner" ? "gates" : "all" }, $"staff.{S(u)}@{v.Slug.Replace("tt-demo-", string.Empty, StringComparison.Ordinal)}.example",
                        k == 0 ? null : _w.UserId(CoreWorld.ManagerUser(v.Index)), _w.Tenants[v.Tenant].Id, A.AddDays(-360), A.AddDays(-360),
                    ];
                }
            }
        }

        await CopyAsync(
            "venue_staff",
            ["id", "venue_id", "user_id", "role", "permissions", "department", "job_title", "employment_type", "start_date", "is_active", "access_areas", "contact_email", "added_by", "tenant_id", "created_at", "updated_at"],
            Staff(), _w.Venues.Count * CoreWorld.StaffPerVenue, false, ct);

        IEnumerable<object?[]> Roles()
        {
            foreach (var v in _w.Venues)
            {
                for (var k = 0; k < CoreWorld.StaffPerVenue; k++)
                {
                    var u = CoreWorld.AdminCount + (v.Index * CoreWorld.StaffPerVenue) + k;
                    yield return
                    [
                        _ctx.Ids.Id("user_venue_roles", u), _w.Tenants[v.Tenant].Id, _w.UserId(u), v.Id, Role(u, _w.CustomerBase),
                        _w.UserId(0), true, A.AddDays(-360), A.AddDays(-360),
                    ];
                }
            }
        }

        await CopyAsync("user_venue_roles", ["id", "tenant_id", "user_id", "venue_id", "role", "granted_by", "is_active", "created_at", "granted_at"], Roles(), _w.Venues.Count * CoreWorld.StaffPerVenue, false, ct);
    }

    private Guid LayoutId(VenueDim v) => _ctx.Ids.Id("venue_layouts", v.Index);

    // ---------------------------------------------------------------- events

    private async Task EventsAsync(CancellationToken ct)
    {
        string[] cols =
        [
            "id", "tenant_id", "venue_id", "venue_layout_id", "name", "slug", "description", "short_description", "event_type", "primary_category_id",
            "tags", "status", "visibility", "is_featured", "priority_score", "banner_image_url", "thumbnail_image_url", "age_restriction", "royalty_percentage",
            "is_virtual", "cancellation_policy", "refund_policy", "cancellation_deadline_hours", "start_date", "allow_transfers", "max_transfers_per_ticket",
            "view_count", "interest_count", "share_count", "metadata", "created_by", "created_at", "updated_at",
        ];

        IEnumerable<object?[]> Rows()
        {
            foreach (var e in _w.Events)
            {
                var rng = Rng.For(_ctx.Seed, "event-row", e.Index);
                var created = e.SalesStart.AddDays(-10);
                yield return
                [
                    e.Id, _w.Tenants[e.Venue.Tenant].Id, e.Venue.Id, LayoutId(e.Venue), e.Name, e.Slug, $"{e.Name} live at {e.Venue.Name}, {e.Venue.City}.",
                    $"Live at {e.Venue.Name}", "single", e.CategoryId, new[] { "live", e.Venue.City.ToLowerInvariant() }, e.Status, "PUBLIC", rng.Chance(0.15),
                    rng.Next(100), $"https://cdn.tickettoken.example/events/{e.Slug}/banner.jpg", $"https://cdn.tickettoken.example/events/{e.Slug}/thumb.jpg",
                    e.Venue.Kind == "Club" ? 21 : 0, e.Venue.RoyaltyPercent, false, "Cancellations up to 24 hours before doors.", "Full refund if the event is cancelled.",
                    24, e.Start, true, 3, 500 + rng.Next(20000), 50 + rng.Next(2000), rng.Next(500), """{"source": "demo-seed"}""",
                    _w.UserId(CoreWorld.ManagerUser(e.Venue.Index)), created, created,
                ];
            }
        }

        await CopyAsync("events", cols, Rows(), _w.Events.Count, _bulk, ct);

        IEnumerable<object?[]> Schedules()
        {
            foreach (var e in _w.Events)
            {
                var status = e.Past ? "COMPLETED" : e.Status == "DRAFT" ? "SCHEDULED" : "CONFIRMED";
                yield return
                [
                    e.ScheduleId, _w.Tenants[e.Venue.Tenant].Id, e.Id, e.Start, e.End, e.Start.AddHours(-1), false, e.Venue.Timezone, status,
                    e.Start.AddHours(-1.5), e.Start.AddHours(2), """{}""", e.SalesStart.AddDays(-10), e.SalesStart.AddDays(-10),
                ];
            }
        }

        await CopyAsync(
            "event_schedules",
            ["id", "tenant_id", "event_id", "starts_at", "ends_at", "doors_open_at", "is_recurring", "timezone", "status", "check_in_opens_at", "check_in_closes_at", "metadata", "created_at", "updated_at"],
            Schedules(), _w.Events.Count, false, ct);

        IEnumerable<object?[]> CapacityRows()
        {
            foreach (var t in _w.TicketTypes)
            {
                var e = t.Event;
                var total = Capacity(t);
                yield return
                [
                    CapacityId(t), _w.Tenants[e.Venue.Tenant].Id, e.Id, e.ScheduleId, t.Name, t.Code, t.Code.ToLowerInvariant(), total, (int)(total - t.Sold), 0, 0,
                    (int)t.Sold, 0, true, true, 1, 8, e.SalesStart.AddDays(-10), e.SalesStart.AddDays(-10),
                ];
            }
        }

        await CopyAsync(
            "event_capacity",
            ["id", "tenant_id", "event_id", "schedule_id", "section_name", "section_code", "tier", "total_capacity", "available_capacity", "reserved_capacity", "buffer_capacity", "sold_count", "pending_count", "is_active", "is_visible", "minimum_purchase", "maximum_purchase", "created_at", "updated_at"],
            CapacityRows(), _w.TicketTypes.Count, false, ct);

        IEnumerable<object?[]> Pricing()
        {
            foreach (var t in _w.TicketTypes)
            {
                var e = t.Event;
                var serviceFee = Dollars(((t.PriceCents * 5) + 50) / 100);
                yield return
                [
                    _ctx.Ids.Id("event_pricing", t.Index), _w.Tenants[e.Venue.Tenant].Id, e.Id, e.ScheduleId, CapacityId(t), t.Name, $"{t.Name} admission",
                    t.Code.ToLowerInvariant(), Dollars(t.PriceCents), serviceFee, 0m, 0.07m, false, Dollars(t.PriceCents), "USD", e.SalesStart, e.Start, 8, 16, true, true,
                    t.Index - e.FirstTicketType, e.SalesStart.AddDays(-10), e.SalesStart.AddDays(-10),
                ];
            }
        }

        await CopyAsync(
            "event_pricing",
            ["id", "tenant_id", "event_id", "schedule_id", "capacity_id", "name", "description", "tier", "base_price", "service_fee", "facility_fee", "tax_rate", "is_dynamic", "current_price", "currency", "sales_start_at", "sales_end_at", "max_per_order", "max_per_customer", "is_active", "is_visible", "display_order", "created_at", "updated_at"],
            Pricing(), _w.TicketTypes.Count, false, ct);

        IEnumerable<object?[]> Types()
        {
            foreach (var t in _w.TicketTypes)
            {
                var e = t.Event;
                var total = Capacity(t);
                yield return
                [
                    t.Id, _w.Tenants[e.Venue.Tenant].Id, e.Id, t.Name, $"{t.Name} for {e.Name}", t.Code.ToLowerInvariant(), Dollars(t.PriceCents), total, (int)(total - t.Sold),
                    (int)t.Sold, 0, 1, 8, e.SalesStart, e.Start, $$"""{"price_cents": {{S(t.PriceCents)}}, "section_code": "{{t.Code}}"}""", e.Status != "DRAFT",
                    e.SalesStart.AddDays(-10), e.SalesStart.AddDays(-10),
                ];
            }
        }

        await CopyAsync(
            "ticket_types",
            ["id", "tenant_id", "event_id", "name", "description", "category", "price", "quantity", "available_quantity", "sold_quantity", "reserved_quantity", "min_purchase", "max_purchase", "sale_start", "sale_end", "metadata", "is_active", "created_at", "updated_at"],
            Types(), _w.TicketTypes.Count, false, ct);
    }

    private static int Capacity(TicketTypeDim t)
    {
        var share = t.Code switch { "GA" => 60, "RES" => 35, _ => 5 };
        return (int)Math.Max(t.Event.Venue.Capacity * share / 100, t.Sold + 10 + (t.Sold / 4));
    }

    private Guid CapacityId(TicketTypeDim t) => _ctx.Ids.Id("event_capacity", t.Index);

    private Task DiscountsAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Rows()
        {
            foreach (var d in _w.Discounts)
            {
                yield return
                [
                    d.Id, _w.Tenants[d.Tenant].Id, d.Code, d.Percent > 0 ? "percentage" : "fixed", d.Percent > 0 ? (decimal)d.Percent : Dollars(d.FixedCents),
                    (int)Math.Max(1000, d.TimesUsed * 2), (int)d.TimesUsed, A.AddDays(-200), A.AddDays(120), true, A.AddDays(-200), A.AddDays(-200),
                ];
            }
        }

        return CopyAsync("discounts", ["id", "tenant_id", "code", "discount_type", "discount_value", "max_uses", "times_used", "valid_from", "valid_until", "is_active", "created_at", "updated_at"], Rows(), _w.Discounts.Count, false, ct);
    }

    // ---------------------------------------------------------------- orders

    /// <summary>Every order, in the order they are written (<see cref="CoreWorld.OrderAt"/>).</summary>
    private IEnumerable<OrderFacts> Orders()
    {
        if (Volatile.Read(ref _orders) is { } described)
        {
            foreach (var facts in described)
            {
                yield return facts;
            }

            yield break;
        }

        var o = default(OrderFacts);
        for (long p = 0; p < _w.OrderCount; p++)
        {
            _w.Describe(_w.OrderAt(p), ref o);
            yield return o;
        }
    }

    private IEnumerable<(OrderFacts Order, TicketFacts Ticket)> Tickets()
    {
        var t = default(TicketFacts);
        foreach (var o in Orders())
        {
            if (!o.Paid)
            {
                continue;
            }

            for (var k = 0; k < o.TicketCount; k++)
            {
                _w.DescribeTicket(o, k, ref t);
                yield return (o, t);
            }
        }
    }

    /// <summary>Order numbers count in the order the orders are written (their position), like their ids.</summary>
    private string OrderNumber(in OrderFacts o) => "TT" + S(_ctx.Seed % 1000).PadLeft(3, '0') + "-" + S(o.Position + 1L).PadLeft(8, '0');

    private static string PaymentIntent(in OrderFacts o) => "pi_demo_" + o.Id.ToString("N")[..24];

    private Task OrdersAsync(CancellationToken ct)
    {
        string[] cols =
        [
            "id", "tenant_id", "user_id", "event_id", "order_number", "status", "subtotal_cents", "platform_fee_cents", "processing_fee_cents", "tax_cents",
            "discount_cents", "total_cents", "currency", "payment_intent_id", "payment_status", "total_amount", "idempotency_key", "ticket_quantity",
            "expires_at", "confirmed_at", "cancelled_at", "refunded_at", "metadata", "applied_promo_codes", "has_dispute", "dispute_id", "dispute_status",
            "dispute_reason", "dispute_amount_cents", "dispute_created_at", "payout_completed", "payout_amount_cents", "payout_completed_at", "created_at", "updated_at",
        ];

        IEnumerable<object?[]> Rows()
        {
            var row = new object?[cols.Length];
            foreach (var o in Orders())
            {
                var payment = o.Status switch
                {
                    "COMPLETED" or "CONFIRMED" => o.Refund == RefundKind.Partial ? "partially_refunded" : "succeeded",
                    "REFUNDED" => "refunded",
                    "EXPIRED" => "failed",
                    "PENDING" or "RESERVED" => "requires_payment_method",
                    _ => "canceled",
                };
                var paidOut = o.Status == "COMPLETED";
                row[0] = o.Id;
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = _w.UserId(o.UserIndex);
                row[3] = o.Event.Id;
                row[4] = OrderNumber(o);
                row[5] = o.Status;
                row[6] = o.Subtotal;
                row[7] = o.PlatformFee;
                row[8] = o.ProcessingFee;
                row[9] = o.Tax;
                row[10] = o.DiscountCents;
                row[11] = o.Total;
                row[12] = "USD";
                row[13] = o.Status is "CANCELLED" ? null : PaymentIntent(o);
                row[14] = payment;
                row[15] = o.Total;
                row[16] = "order-" + o.Id.ToString("N");
                row[17] = o.TicketCount;
                row[18] = o.CreatedAt.AddMinutes(15);
                row[19] = o.Paid ? o.PaidAt : null;
                row[20] = o.Status == "CANCELLED" ? o.CreatedAt.AddMinutes(9) : null;
                row[21] = o.Refund == RefundKind.Full ? o.RefundedAt : null;
                row[22] = $$"""{"channel": "{{(o.Index % 3 == 0 ? "ios" : "web")}}", "fraud_score": {{S(o.FraudScore)}}}""";
                row[23] = o.Discount is null ? null : $"""["{o.Discount.Code}"]""";
                row[24] = o.Chargeback;
                row[25] = o.Chargeback ? DisputeId(o) : null;
                row[26] = o.Chargeback ? ChargebackStatus(o) : null;
                row[27] = o.Chargeback ? "fraudulent" : null;
                row[28] = o.Chargeback ? o.Total : null;
                row[29] = o.Chargeback ? o.PaidAt.AddDays(20) : null;
                row[30] = paidOut;
                row[31] = paidOut ? o.VenuePayout - (o.Refund == RefundKind.Partial ? Math.Min(o.RefundCents, o.VenuePayout) : 0) : null;
                row[32] = paidOut ? o.Event.End.AddDays(3) : null;
                row[33] = o.CreatedAt;
                row[34] = o.Refund == RefundKind.Full ? o.RefundedAt : o.Paid ? o.PaidAt : o.CreatedAt;
                yield return row;
            }
        }

        // orders keep their triggers even in bulk mode: the BEFORE INSERT trigger computes search_vector, and the table has no foreign key to check.
        return CopyAsync("orders", cols, Rows(), _w.OrderCount, false, ct);
    }

    private static string DisputeId(in OrderFacts o) => "dp_demo_" + o.Id.ToString("N")[..20];

    private static string ChargebackStatus(in OrderFacts o) => (o.Index % 4) switch { 0 => "open", 1 => "under_review", 2 => "won", _ => "lost" };

    private Task OrderItemsAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Rows()
        {
            var row = new object?[9];
            foreach (var o in Orders())
            {
                for (var l = 0; l < o.LineCount; l++)
                {
                    var line = l == 0 ? o.Line0 : o.Line1;
                    row[0] = _w.OrderRowId("order_items", o, l, perOrder: 2);
                    row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                    row[2] = o.Id;
                    row[3] = line.Type.Id;
                    row[4] = line.Quantity;
                    row[5] = line.Type.PriceCents;
                    row[6] = line.Type.PriceCents * line.Quantity;
                    row[7] = o.CreatedAt;
                    row[8] = o.CreatedAt;
                    yield return row;
                }
            }
        }

        return CopyAsync("order_items", ["id", "tenant_id", "order_id", "ticket_type_id", "quantity", "unit_price_cents", "total_price_cents", "created_at", "updated_at"], Rows(), _w.OrderCount * 135 / 100, _bulk, ct);
    }

    private Task OrderDiscountsAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Rows()
        {
            var row = new object?[8];
            foreach (var o in Orders())
            {
                if (o.Discount is null)
                {
                    continue;
                }

                row[0] = _w.OrderRowId("order_discounts", o);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = o.Id;
                row[3] = o.Discount.Id;
                row[4] = o.Discount.Code;
                row[5] = o.Discount.Percent > 0 ? "percentage" : "fixed";
                row[6] = (int)o.DiscountCents;
                row[7] = o.CreatedAt;
                yield return row;
            }
        }

        return CopyAsync("order_discounts", ["id", "tenant_id", "order_id", "discount_id", "discount_code", "discount_type", "amount_cents", "applied_at"], Rows(), _w.OrderCount / 8, _bulk, ct);
    }

    // ---------------------------------------------------------------- tickets

    private Task TicketsAsync(CancellationToken ct)
    {
        string[] cols =
        [
            "id", "tenant_id", "event_id", "ticket_type_id", "user_id", "original_purchaser_id", "ticket_number", "qr_code", "price_cents", "price",
            "face_value", "section", "row", "seat", "status", "is_validated", "is_transferable", "transfer_count", "is_nft", "payment_id", "purchased_at",
            "purchase_date", "validated_at", "validated_by", "metadata", "created_at", "updated_at", "checked_in_at", "checked_in_by", "token_mint",
        ];

        IEnumerable<object?[]> Rows()
        {
            var row = new object?[cols.Length];
            foreach (var (o, t) in Tickets())
            {
                var scanner = t.Scanned ? _w.UserId(CoreWorld.ScannerUser(o.Event.Venue.Index, (int)t.Global)) : (object?)null;
                row[0] = t.Id;
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = o.Event.Id;
                row[3] = t.Type.Id;
                row[4] = _w.UserId(t.Owner);
                row[5] = _w.UserId(o.UserIndex);
                row[6] = "TKT-" + S(_ctx.Seed % 1000).PadLeft(3, '0') + "-" + S(t.Number).PadLeft(10, '0');
                row[7] = "ttqr:" + t.Id.ToString("N");
                row[8] = (decimal)t.Type.PriceCents;
                row[9] = Dollars(t.Type.PriceCents);
                row[10] = Dollars(t.Type.PriceCents);
                row[11] = t.Type.Seated ? t.Type.Code : null;
                row[12] = t.Type.Seated ? S(t.Global / 20) : null;
                row[13] = t.Type.Seated ? S((t.Global % 20) + 1) : null;
                row[14] = t.Status;
                row[15] = t.Scanned;
                row[16] = t.Status == "active";
                row[17] = t.Listing == ListingKind.Sold ? 1 : 0;
                row[18] = t.IsNft;
                row[19] = PaymentIntent(o);
                row[20] = o.PaidAt;
                row[21] = o.PaidAt;
                row[22] = t.Scanned ? t.ScannedAt : null;
                row[23] = scanner;
                row[24] = $$"""{"order_number": "{{OrderNumber(o)}}", "tier": "{{t.Type.Code}}"}""";
                row[25] = o.PaidAt;
                row[26] = t.Listing == ListingKind.Sold ? t.SoldAt : t.Scanned ? t.ScannedAt : o.PaidAt;
                row[27] = t.Scanned ? t.ScannedAt : null;
                row[28] = scanner;
                row[29] = t.IsNft ? MintAddress(t) : null;
                yield return row;
            }
        }

        return CopyAsync("tickets", cols, Rows(), _w.OrderCount * 3, _mirrorStats, ct);
    }

    private static string MintAddress(in TicketFacts t)
    {
        var r = new Rng((ulong)t.Global * 0x9E3779B97F4A7C15UL);
        return r.Base58(44);
    }

    // ---------------------------------------------------------------- payments

    private Task PaymentTransactionsAsync(CancellationToken ct)
    {
        string[] cols =
        [
            "id", "tenant_id", "venue_id", "user_id", "event_id", "order_id", "type", "amount", "currency", "status", "platform_fee", "venue_payout",
            "tax_amount", "total_amount", "stripe_payment_intent_id", "stripe_charge_id", "payment_method_fingerprint", "description", "metadata",
            "idempotency_key", "created_at", "updated_at",
        ];

        IEnumerable<object?[]> Rows()
        {
            var row = new object?[cols.Length];
            foreach (var o in Orders())
            {
                if (!o.Paid && o.Status != "EXPIRED")
                {
                    continue;
                }

                var status = !o.Paid ? "failed" : o.Refund switch { RefundKind.Full => "refunded", RefundKind.Partial => "partially_refunded", _ => "completed" };
                row[0] = TransactionId(o);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = o.Event.Venue.Id;
                row[3] = _w.UserId(o.UserIndex);
                row[4] = o.Event.Id;
                row[5] = o.Id;
                row[6] = "ticket_purchase";
                row[7] = Dollars(o.Total);
                row[8] = "USD";
                row[9] = status;
                row[10] = o.Paid ? Dollars(o.PlatformFee) : 0m;
                row[11] = o.Paid ? Dollars(o.VenuePayout) : 0m;
                row[12] = Dollars(o.Tax);
                row[13] = Dollars(o.Total);
                row[14] = PaymentIntent(o);
                row[15] = "ch_demo_" + o.Id.ToString("N")[..20];
                row[16] = "fp_" + S(o.UserIndex % 997).PadLeft(4, '0');
                row[17] = $"Tickets for {o.Event.Name}";
                row[18] = $$"""{"order_number": "{{OrderNumber(o)}}", "processing_fee_cents": {{S(o.ProcessingFee)}}, "card_brand": "{{(o.Index % 3 == 0 ? "amex" : "visa")}}"}""";
                row[19] = _w.OrderRowId("payment_idempotency", o);
                row[20] = o.Paid ? o.PaidAt : o.CreatedAt.AddMinutes(14);
                row[21] = o.Refund == RefundKind.None ? row[20] : o.RefundedAt;
                yield return row;
            }
        }

        return CopyAsync("payment_transactions", cols, Rows(), _w.OrderCount * 9 / 10, _mirrorStats, ct);
    }

    private Guid TransactionId(in OrderFacts o) => _w.OrderRowId("payment_transactions", o);

    private async Task RefundsAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> PaymentRefunds()
        {
            var row = new object?[12];
            foreach (var o in Orders())
            {
                if (o.Refund == RefundKind.None)
                {
                    continue;
                }

                row[0] = _w.OrderRowId("payment_refunds", o);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = TransactionId(o);
                row[3] = Dollars(o.RefundCents);
                row[4] = o.Refund == RefundKind.Full ? "requested_by_customer" : "partial: one ticket returned";
                row[5] = "completed";
                row[6] = "re_demo_" + o.Id.ToString("N")[..20];
                row[7] = """{"source": "demo-seed"}""";
                row[8] = _w.OrderRowId("refund_idempotency", o);
                row[9] = o.RefundedAt.AddMinutes(-5);
                row[10] = o.RefundedAt;
                row[11] = o.RefundedAt;
                yield return row;
            }
        }

        await CopyAsync("payment_refunds", ["id", "tenant_id", "transaction_id", "amount", "reason", "status", "stripe_refund_id", "metadata", "idempotency_key", "created_at", "completed_at", "updated_at"], PaymentRefunds(), _w.OrderCount / 20, _bulk, ct);

        IEnumerable<object?[]> OrderRefunds()
        {
            var row = new object?[12];
            foreach (var o in Orders())
            {
                if (o.Refund == RefundKind.None)
                {
                    continue;
                }

                row[0] = _w.OrderRowId("order_refunds", o);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = o.Id;
                row[3] = o.RefundCents;
                row[4] = o.Refund == RefundKind.Full ? "Customer requested a refund" : "One ticket returned";
                row[5] = "COMPLETED";
                row[6] = "re_demo_" + o.Id.ToString("N")[..20];
                row[7] = _w.UserId(o.UserIndex);
                row[8] = o.Refund == RefundKind.Full ? "FULL" : "PARTIAL";
                row[9] = (int)(o.Total - o.RefundCents);
                row[10] = o.RefundedAt.AddMinutes(-5);
                row[11] = o.RefundedAt;
                yield return row;
            }
        }

        await CopyAsync("order_refunds", ["id", "tenant_id", "order_id", "refund_amount_cents", "refund_reason", "refund_status", "stripe_refund_id", "initiated_by", "refund_type", "remaining_balance_cents", "created_at", "updated_at"], OrderRefunds(), _w.OrderCount / 20, _bulk, ct);
    }

    private Task ChargebacksAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Rows()
        {
            var row = new object?[14];
            foreach (var o in Orders())
            {
                if (!o.Chargeback)
                {
                    continue;
                }

                var status = ChargebackStatus(o);
                var resolved = status is "won" or "lost";
                row[0] = _w.OrderRowId("payment_chargebacks", o);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = TransactionId(o);
                row[3] = _w.UserId(o.UserIndex);
                row[4] = DisputeId(o);
                row[5] = (int)o.Total;
                row[6] = "fraudulent";
                row[7] = status;
                row[8] = status == "open" ? null : "Signed delivery receipt and scan log";
                row[9] = o.PaidAt.AddDays(20);
                row[10] = resolved ? o.PaidAt.AddDays(45) : null;
                row[11] = resolved ? status : null;
                row[12] = o.PaidAt.AddDays(20);
                row[13] = resolved ? o.PaidAt.AddDays(45) : o.PaidAt.AddDays(20); // the column defaults to the wall clock
                yield return row;
            }
        }

        return CopyAsync("payment_chargebacks", ["id", "tenant_id", "transaction_id", "user_id", "stripe_dispute_id", "amount_cents", "reason", "status", "evidence_submitted", "disputed_at", "resolved_at", "outcome", "created_at", "updated_at"], Rows(), _w.OrderCount / 250, _bulk, ct);
    }

    // ---------------------------------------------------------------- NFTs and scans

    private Task NftMintsAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Rows()
        {
            var row = new object?[14];
            foreach (var (o, t) in Tickets())
            {
                if (!t.IsNft || t.Status == "refunded")
                {
                    continue;
                }

                var rng = Rng.For(_ctx.Seed, "nft", t.Global);
                var at = o.PaidAt.AddMinutes(3);
                row[0] = _w.TicketRowId("nft_mints", t);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = t.Id;
                row[3] = rng.Base58(88);
                row[4] = MintAddress(t);
                row[5] = "asset_" + rng.Hex(32);
                row[6] = "ipfs://bafybei" + rng.Hex(40);
                row[7] = rng.Base58(44);
                row[8] = rng.Base58(44);
                row[9] = "solana-devnet";
                row[10] = "completed";
                row[11] = at;
                row[12] = at.AddSeconds(40);
                row[13] = at.AddSeconds(40);
                yield return row;
            }
        }

        return CopyAsync("nft_mints", ["id", "tenant_id", "ticket_id", "transaction_signature", "mint_address", "asset_id", "metadata_uri", "merkle_tree", "owner_address", "blockchain", "status", "created_at", "updated_at", "completed_at"], Rows(), _w.OrderCount * 9 / 10, _bulk, ct);
    }

    private Task ScansAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Rows()
        {
            var row = new object?[14];
            foreach (var (o, t) in Tickets())
            {
                if (!t.Scanned)
                {
                    continue;
                }

                for (var j = 0; j < 1; j++)
                {
                    var v = o.Event.Venue;
                    var gate = (int)(t.Global % 3);
                    row[0] = _w.TicketRowId("ticket_scans", t, j, perTicket: 2);
                    row[1] = _w.Tenants[v.Tenant].Id;
                    row[2] = t.Id;
                    row[3] = o.Event.Id;
                    row[4] = t.ScannedAt.AddMinutes(j * 7);
                    row[5] = _w.UserId(CoreWorld.ScannerUser(v.Index, (int)t.Global));
                    row[6] = $"SCN-{S(v.Index)}-{S(gate)}";
                    row[7] = $"Gate {(char)('A' + gate)}";
                    row[8] = j == 0 ? "valid" : "duplicate";
                    row[9] = j == 0 ? null : "Ticket already scanned";
                    row[10] = new IPAddress([10, 20, (byte)(v.Index % 250), (byte)(10 + gate)]);
                    row[11] = "TicketToken Scanner/3.2 (Android 14)";
                    row[12] = $$"""{"gate": "{{(char)('A' + gate)}}", "offline": false}""";
                    row[13] = t.ScannedAt.AddMinutes(j * 7);
                    yield return row;
                }
            }
        }

        return CopyAsync("ticket_scans", ["id", "tenant_id", "ticket_id", "event_id", "scanned_at", "scanned_by", "device_id", "location", "result", "rejection_reason", "ip_address", "user_agent", "metadata", "created_at"], Rows(), _w.OrderCount, _bulk, ct);
    }

    // ---------------------------------------------------------------- notifications

    /// <summary>
    /// The emails an order sends: its confirmation once paid (about 1 in 97 bounces) and a refund notice when it is
    /// refunded. Their metadata names the order (order_id, order_number), as the notification service writes it, so
    /// the order page's timeline shows them with their delivery status.
    /// </summary>
    private Task NotificationsAsync(CancellationToken ct)
    {
        string[] cols =
        [
            "id", "tenant_id", "venue_id", "recipient_id", "channel", "type", "priority", "template_name", "subject", "status",
            "delivery_status", "delivery_attempts", "last_attempt_at", "delivered_at", "failed_reason", "should_retry", "sent_at",
            "provider_message_id", "metadata", "created_at", "updated_at",
        ];

        IEnumerable<object?[]> Rows()
        {
            var row = new object?[cols.Length];
            foreach (var o in Orders())
            {
                if (!o.Paid)
                {
                    continue;
                }

                var number = OrderNumber(o);
                var count = o.Refund == RefundKind.None ? 1 : 2;
                for (var k = 0; k < count; k++)
                {
                    var confirmation = k == 0;
                    var at = confirmation ? o.PaidAt.AddSeconds(20) : o.RefundedAt.AddMinutes(2);
                    var bounced = confirmation && o.Index % 97 == 13;
                    var id = _w.OrderRowId("notification_history", o, k, perOrder: 2);
                    row[0] = id;
                    row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                    row[2] = o.Event.Venue.Id;
                    row[3] = _w.UserId(o.UserIndex);
                    row[4] = "email";
                    row[5] = "transactional";
                    row[6] = confirmation ? "high" : "normal";
                    row[7] = confirmation ? "order_confirmation" : "refund_processed";
                    row[8] = confirmation ? $"Your tickets for {o.Event.Name}" : $"Your refund for order {number}";
                    row[9] = bounced ? "bounced" : "delivered";
                    row[10] = bounced ? "bounced" : "delivered";
                    row[11] = 1;
                    row[12] = at;
                    row[13] = bounced ? null : at.AddSeconds(4);
                    row[14] = bounced ? "550 5.1.1 mailbox unavailable" : null;
                    row[15] = false;
                    row[16] = at;
                    row[17] = "sg_" + id.ToString("N")[..20];
                    row[18] = $$"""{"order_id": "{{o.Id}}", "order_number": "{{number}}", "event_id": "{{o.Event.Id}}"}""";
                    row[19] = at;
                    row[20] = at;
                    yield return row;
                }
            }
        }

        return CopyAsync("notification_history", cols, Rows(), _w.OrderCount, _bulk, ct);
    }

    // ---------------------------------------------------------------- resale

    private IEnumerable<(OrderFacts Order, TicketFacts Ticket)> Listed() => Tickets().Where(x => x.Ticket.Listing != ListingKind.None);

    private async Task MarketplaceAsync(CancellationToken ct)
    {
        IEnumerable<object?[]> Listings()
        {
            var row = new object?[20];
            foreach (var (o, t) in Listed())
            {
                var status = t.Listing switch { ListingKind.Sold => "sold", ListingKind.Cancelled => "cancelled", ListingKind.Expired => "expired", _ => "active" };
                row[0] = _w.TicketRowId("marketplace_listings", t);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = t.Id;
                row[3] = _w.UserId(o.UserIndex);
                row[4] = o.Event.Id;
                row[5] = o.Event.Venue.Id;
                row[6] = (int)t.ListPriceCents;
                row[7] = (int)t.Type.PriceCents;
                row[8] = Math.Round((decimal)t.ListPriceCents / t.Type.PriceCents, 2);
                row[9] = status;
                row[10] = t.ListedAt;
                row[11] = t.Listing == ListingKind.Sold ? t.SoldAt : null;
                row[12] = o.Event.Start.AddHours(-2);
                row[13] = t.Listing == ListingKind.Cancelled ? t.ListedAt.AddHours(20) : null;
                row[14] = Wallet(o.UserIndex);
                row[15] = 10 + (int)(t.Global % 300);
                row[16] = (int)(t.Global % 25);
                row[17] = true;
                row[18] = t.ListedAt;
                row[19] = t.Listing == ListingKind.Sold ? t.SoldAt : t.ListedAt;
                yield return row;
            }
        }

        await CopyAsync("marketplace_listings", ["id", "tenant_id", "ticket_id", "seller_id", "event_id", "venue_id", "price", "original_face_value", "price_multiplier", "status", "listed_at", "sold_at", "expires_at", "cancelled_at", "wallet_address", "view_count", "favorite_count", "accepts_fiat_payment", "created_at", "updated_at"], Listings(), _w.OrderCount / 20, _bulk, ct);

        IEnumerable<object?[]> Transfers()
        {
            var row = new object?[21];
            foreach (var (o, t) in Listed())
            {
                if (t.TransferredTo < 0)
                {
                    continue;
                }

                var ok = t.Listing == ListingKind.Sold;
                row[0] = _w.TicketRowId("marketplace_transfers", t);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = _w.TicketRowId("marketplace_listings", t);
                row[3] = _w.UserId(t.TransferredTo);
                row[4] = _w.UserId(o.UserIndex);
                row[5] = o.Event.Id;
                row[6] = o.Event.Venue.Id;
                row[7] = Wallet(t.TransferredTo);
                row[8] = Wallet(o.UserIndex);
                row[9] = new Rng((ulong)t.Global ^ 0xABCDEFUL).Base58(88);
                row[10] = "USDC";
                row[11] = Dollars(t.ListPriceCents);
                row[12] = (int)t.ListPriceCents;
                row[13] = ok ? "completed" : "failed";
                row[14] = t.SoldAt.AddMinutes(-2);
                row[15] = ok ? t.SoldAt : null;
                row[16] = ok ? null : t.SoldAt;
                row[17] = ok ? null : "Blockchain confirmation timed out";
                row[18] = "crypto";
                row[19] = t.SoldAt.AddMinutes(-2);
                row[20] = t.SoldAt;
                yield return row;
            }
        }

        await CopyAsync("marketplace_transfers", ["id", "tenant_id", "listing_id", "buyer_id", "seller_id", "event_id", "venue_id", "buyer_wallet", "seller_wallet", "transfer_signature", "payment_currency", "payment_amount", "usd_value", "status", "initiated_at", "completed_at", "failed_at", "failure_reason", "payment_method", "created_at", "updated_at"], Transfers(), _w.OrderCount / 40, _bulk, ct);

        IEnumerable<object?[]> TicketTransfers()
        {
            var row = new object?[19];
            foreach (var (o, t) in Listed())
            {
                if (t.Listing != ListingKind.Sold)
                {
                    continue;
                }

                row[0] = _w.TicketRowId("ticket_transfers", t);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = t.Id;
                row[3] = _w.UserId(o.UserIndex);
                row[4] = _w.UserId(t.TransferredTo);
                row[5] = $"buyer.{S(t.TransferredTo)}@example.test";
                row[6] = "TRF-" + S(t.Global);
                row[7] = "sale";
                row[8] = "marketplace";
                row[9] = "completed";
                row[10] = S(t.Global % 1_000_000_000_000).PadLeft(12, '0');
                row[11] = false;
                row[12] = (int)t.ListPriceCents;
                row[13] = "USD";
                row[14] = t.SoldAt.AddDays(2);
                row[15] = t.SoldAt;
                row[16] = t.SoldAt;
                row[17] = t.SoldAt.AddMinutes(-2);
                row[18] = t.SoldAt;
                yield return row;
            }
        }

        await CopyAsync("ticket_transfers", ["id", "tenant_id", "ticket_id", "from_user_id", "to_user_id", "to_email", "transfer_code", "transfer_type", "transfer_method", "status", "acceptance_code", "is_gift", "price_cents", "currency", "expires_at", "accepted_at", "transferred_at", "created_at", "updated_at"], TicketTransfers(), _w.OrderCount / 40, _bulk, ct);

        IEnumerable<object?[]> Royalties()
        {
            var row = new object?[14];
            foreach (var (o, t) in Listed())
            {
                if (t.Listing != ListingKind.Sold)
                {
                    continue;
                }

                var transfer = _w.TicketRowId("marketplace_transfers", t);
                for (var r = 0; r < 2; r++)
                {
                    var venue = r == 0;
                    var pct = venue ? o.Event.Venue.RoyaltyPercent : 2.5m;
                    var paid = t.SoldAt < A.AddDays(-7);
                    row[0] = _w.TicketRowId("royalty_distributions", t, r, perTicket: 2);
                    row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                    row[2] = transfer;
                    row[3] = o.Event.Id;
                    row[4] = "resale";
                    row[5] = venue ? "venue" : "platform";
                    row[6] = venue ? o.Event.Venue.Id : _w.Tenants[o.Event.Venue.Tenant].Id;
                    row[7] = venue ? null : "PLATFORMtreasury1111111111111111111111111111";
                    row[8] = Math.Round(t.ListPriceCents * pct / 100m, 0, MidpointRounding.AwayFromZero);
                    row[9] = pct;
                    row[10] = paid ? "paid" : "pending";
                    row[11] = paid ? t.SoldAt.AddDays(7) : null;
                    row[12] = t.SoldAt;
                    row[13] = paid ? t.SoldAt.AddDays(7) : t.SoldAt;
                    yield return row;
                }
            }
        }

        await CopyAsync("royalty_distributions", ["id", "tenant_id", "transaction_id", "event_id", "transaction_type", "recipient_type", "recipient_id", "recipient_wallet_address", "amount_cents", "percentage", "status", "paid_at", "created_at", "updated_at"], Royalties(), _w.OrderCount / 20, _bulk, ct);

        IEnumerable<object?[]> MarketplaceRefunds()
        {
            var row = new object?[15];
            foreach (var (o, t) in Listed())
            {
                if (t.Listing != ListingKind.SoldFailed)
                {
                    continue;
                }

                row[0] = _w.TicketRowId("refunds", t);
                row[1] = _w.Tenants[o.Event.Venue.Tenant].Id;
                row[2] = _w.TicketRowId("marketplace_transfers", t);
                row[3] = _w.TicketRowId("marketplace_listings", t);
                row[4] = _w.UserId(t.TransferredTo);
                row[5] = _w.UserId(o.UserIndex);
                row[6] = t.ListPriceCents;
                row[7] = t.ListPriceCents;
                row[8] = "transfer_failed";
                row[9] = "The on-chain transfer did not confirm; the buyer was refunded in full.";
                row[10] = _w.UserId(0);
                row[11] = "completed";
                row[12] = t.SoldAt.AddHours(1);
                row[13] = t.SoldAt.AddMinutes(10);
                row[14] = t.SoldAt.AddHours(1);
                yield return row;
            }
        }

        await CopyAsync("refunds", ["id", "tenant_id", "transfer_id", "listing_id", "buyer_id", "seller_id", "original_amount", "refund_amount", "reason", "reason_details", "initiated_by", "status", "completed_at", "created_at", "updated_at"], MarketplaceRefunds(), _w.OrderCount / 500, _bulk, ct);
    }

    private string Wallet(long user) => new Rng(Rng.Mix((ulong)_ctx.Seed, (ulong)user)).Base58(44);

    // ---------------------------------------------------------------- compliance

    /// <summary>
    /// Venue compliance, derived from the venues and their payments: verifications (verified venues pass, the others
    /// wait for review), bank verifications, OFAC screening, risk flags, KYB documents, and yearly tax records and
    /// 1099-K forms whose amounts are the venue's completed payouts of that year.
    /// </summary>
    private async Task ComplianceAsync(CancellationToken ct)
    {
        var tenants = _w.Tenants.Select(t => t.Id).ToArray();
        void P(NpgsqlParameterCollection p)
        {
            p.AddWithValue("seed", S(_ctx.Seed));
            p.AddWithValue("tenants", tenants);
            p.AddWithValue("anchorYear", A.Year);
        }

        await ExecAsync(
            "venue_verifications",
            """
            INSERT INTO venue_verifications (id, tenant_id, venue_id, ein, business_name, business_address, status, verification_id, w9_uploaded,
                                             bank_verified, ofac_cleared, risk_score, manual_review_required, manual_review_notes, created_at, updated_at)
            SELECT md5(@seed || ':vv:' || v.id)::uuid, v.tenant_id, v.id, v.tax_id, v.business_name,
                   v.address_line1 || ', ' || v.city || ', ' || v.state_province || ' ' || v.postal_code,
                   CASE WHEN v.is_verified THEN 'verified' ELSE 'pending' END, 'VV-' || upper(left(md5(@seed || v.id::text), 12)),
                   true, v.is_verified, v.is_verified, CASE WHEN v.is_verified THEN 12 ELSE 48 END, NOT v.is_verified,
                   CASE WHEN v.is_verified THEN NULL ELSE 'Awaiting bank account confirmation' END, v.created_at + interval '2 days',
                   coalesce(v.verified_at, v.created_at + interval '2 days')
            FROM venues v WHERE v.tenant_id = ANY(@tenants) ORDER BY v.id
            """, P, ct);

        await ExecAsync(
            "bank_verifications",
            """
            INSERT INTO bank_verifications (id, tenant_id, venue_id, account_last_four, routing_number, verified, account_name, account_type,
                                            plaid_request_id, plaid_item_id, created_at)
            SELECT md5(@seed || ':bank:' || vv.venue_id)::uuid, vv.tenant_id, vv.venue_id, right(md5(vv.venue_id::text), 4), '110000000',
                   vv.bank_verified, vv.business_name, 'checking', 'req_' || left(md5('r' || vv.venue_id::text), 16),
                   'item_' || left(md5('i' || vv.venue_id::text), 16), vv.created_at + interval '1 day'
            FROM venue_verifications vv WHERE vv.tenant_id = ANY(@tenants) ORDER BY vv.venue_id
            """, P, ct);

        await ExecAsync(
            "ofac_checks",
            """
            INSERT INTO ofac_checks (id, tenant_id, venue_id, name_checked, is_match, confidence, matched_name, reviewed, review_notes, created_at)
            SELECT md5(@seed || ':ofac:' || vv.venue_id || ':' || k)::uuid, vv.tenant_id, vv.venue_id,
                   CASE k WHEN 0 THEN vv.business_name ELSE 'Principal of ' || vv.business_name END,
                   false, (get_byte(decode(md5(vv.venue_id::text || k), 'hex'), 0) % 20), NULL, true, 'No match on the SDN list',
                   vv.created_at + k * interval '180 days'
            FROM venue_verifications vv CROSS JOIN generate_series(0, 1) k WHERE vv.tenant_id = ANY(@tenants) ORDER BY 1
            """, P, ct);

        await ExecAsync(
            "risk_flags",
            $"""
            INSERT INTO risk_flags (id, tenant_id, venue_id, reason, severity, resolved, resolution, resolved_at, created_at)
            SELECT md5(@seed || ':risk:' || x.venue_id || ':' || x.kind)::uuid, x.tenant_id, x.venue_id, x.reason, x.severity, x.resolved,
                   CASE WHEN x.resolved THEN 'Reviewed by compliance: within normal range' END,
                   CASE WHEN x.resolved THEN x.at + interval '3 days' END, x.at
            FROM (
                SELECT vv.tenant_id, vv.venue_id, 'unverified' AS kind, 'Venue not verified: payouts held until bank verification completes' AS reason,
                       'high' AS severity, false AS resolved, vv.created_at AS at
                FROM venue_verifications vv WHERE vv.tenant_id = ANY(@tenants) AND vv.status <> 'verified'
                UNION ALL
                SELECT p.tenant_id, p.venue_id, 'chargebacks', 'Chargebacks: ' || count(*) || ' disputed payments', CASE WHEN count(*) > 3 THEN 'high' ELSE 'medium' END,
                       bool_and(c.status IN ('won', 'lost')), max(c.disputed_at)
                FROM payment_chargebacks c JOIN payment_transactions p ON p.id = c.transaction_id
                WHERE c.tenant_id = ANY(@tenants) GROUP BY p.tenant_id, p.venue_id
                UNION ALL
                SELECT p.tenant_id, p.venue_id, 'refunds', 'Refund rate ' || round(100.0 * coalesce(sum(p.n) FILTER (WHERE p.status = 'refunded'), 0) / sum(p.n), 1) || '% of payments',
                       'low', true, max(p.last_at)
                FROM {VenuePayments} p GROUP BY p.tenant_id, p.venue_id
            ) x ORDER BY 1
            """, P, ct);

        await ExecAsync(
            "compliance_documents",
            """
            INSERT INTO compliance_documents (id, tenant_id, document_id, venue_id, document_type, filename, original_name, storage_path, s3_url,
                                              uploaded_by, verified, created_at)
            SELECT md5(@seed || ':doc:' || vv.venue_id || ':' || d.kind)::uuid, vv.tenant_id, 'DOC-' || upper(left(md5(@seed || vv.venue_id::text || d.kind), 16)),
                   vv.venue_id, d.kind, d.kind || '-' || left(vv.venue_id::text, 8) || '.pdf', d.original,
                   'compliance/' || vv.venue_id || '/' || d.kind || '.pdf',
                   'https://files.tickettoken.example/compliance/' || vv.venue_id || '/' || d.kind || '.pdf',
                   v.created_by, vv.status = 'verified' OR d.kind = 'W9', vv.created_at + interval '1 hour'
            FROM venue_verifications vv JOIN venues v ON v.id = vv.venue_id
            CROSS JOIN (VALUES ('W9', 'W-9 signed.pdf'), ('BUSINESS_LICENSE', 'Business license.pdf'), ('BANK_STATEMENT', 'Bank statement.pdf')) d(kind, original)
            WHERE vv.tenant_id = ANY(@tenants) ORDER BY 1
            """, P, ct);

        // Yearly totals of each venue's completed payouts: the tax records and the 1099-K forms state the same amounts.
        const string yearly = $"""
            SELECT p.tenant_id, p.venue_id, p.year, sum(p.payout) AS gross, sum(p.n)::bigint AS n
            FROM {VenuePayments} p
            WHERE p.status = 'completed'
            GROUP BY 1, 2, 3
            """;
        await ExecAsync(
            "tax_records",
            $"""
            INSERT INTO tax_records (id, tenant_id, venue_id, year, amount, threshold_reached, form_1099_required, form_1099_sent, jurisdiction, metadata, created_at)
            SELECT md5(@seed || ':tax:' || y.venue_id || ':' || y.year)::uuid, y.tenant_id, y.venue_id, y.year, y.gross, y.gross >= 600, y.gross >= 600,
                   y.gross >= 600 AND y.year < @anchorYear, 'US', jsonb_build_object('transaction_count', y.n, 'basis', 'venue_payout'),
                   make_timestamptz(y.year + 1, 1, 31, 12, 0, 0, 'UTC')
            FROM ({yearly}) y ORDER BY 1
            """, P, ct);

        await ExecAsync(
            "form_1099_records",
            $"""
            INSERT INTO form_1099_records (id, tenant_id, venue_id, year, form_type, gross_amount, transaction_count, form_data, sent_to_irs, sent_to_venue,
                                           jurisdiction, generated_at, created_at)
            SELECT md5(@seed || ':1099:' || y.venue_id || ':' || y.year)::uuid, y.tenant_id, y.venue_id, y.year, '1099-K', y.gross, y.n,
                   jsonb_build_object('payee_tin', vv.ein, 'payee_name', vv.business_name, 'box_1a', y.gross, 'box_3', y.n),
                   y.year < @anchorYear, y.year < @anchorYear, 'US', make_timestamptz(y.year + 1, 1, 20, 12, 0, 0, 'UTC'), make_timestamptz(y.year + 1, 1, 20, 12, 0, 0, 'UTC')
            FROM ({yearly}) y JOIN venue_verifications vv ON vv.venue_id = y.venue_id
            WHERE y.gross >= 600 ORDER BY 1
            """, P, ct);
    }

    // ---------------------------------------------------------------- settlements

    /// <summary>
    /// The seed's work table of payment totals per venue, ISO week, calendar year and status, made by one pass over
    /// payment_transactions: the settlement batches, balances, tax records, 1099-K forms and refund-rate flags are all
    /// sums of it, so they agree with each other and the million-row table is read once instead of six times (ADR 0003).
    /// Dropped when the seed's transaction ends.
    /// </summary>
    private const string VenuePayments = "seed_venue_payments";

    private async Task SettlementsAsync(CancellationToken ct)
    {
        var tenants = _w.Tenants.Select(t => t.Id).ToArray();
        await ExecAsync(
            VenuePayments,
            $"""
            CREATE TEMP TABLE {VenuePayments} ON COMMIT DROP AS
            SELECT tenant_id, venue_id, date_trunc('week', created_at) AS wk, extract(year FROM created_at)::int AS year, status,
                   sum(venue_payout) AS payout, sum(amount) AS amount, sum(platform_fee) AS platform_fee, sum(tax_amount) AS tax,
                   count(*) AS n, max(created_at) AS last_at
            FROM payment_transactions
            WHERE tenant_id = ANY(@tenants)
            GROUP BY 1, 2, 3, 4, 5
            """,
            p => p.AddWithValue("tenants", tenants),
            countRows: false,
            ct);

        // One batch per venue and ISO week of completed payments, for every week that ended before the anchor (a week
        // spanning New Year is two rows of the work table, one per year).
        await ExecAsync(
            "settlement_batches",
            $"""
            INSERT INTO settlement_batches (id, tenant_id, venue_id, batch_number, total_amount, payment_count, status, processed_at, metadata, created_at)
            SELECT md5(@seed || ':settlement:' || venue_id || ':' || wk)::uuid, tenant_id, venue_id,
                   'STL-' || to_char(wk, 'IYYY-IW') || '-' || left(venue_id::text, 8),
                   sum(payout), sum(n)::int, 'completed', wk + interval '8 days',
                   jsonb_build_object('period_start', wk, 'period_end', wk + interval '7 days', 'currency', 'USD',
                                      'gross_amount', sum(amount), 'platform_fees', sum(platform_fee), 'tax', sum(tax)),
                   wk + interval '7 days'
            FROM {VenuePayments}
            WHERE status = 'completed' AND wk < date_trunc('week', @anchor::timestamptz)
            GROUP BY tenant_id, venue_id, wk
            ORDER BY 1
            """,
            p =>
            {
                p.AddWithValue("seed", S(_ctx.Seed));
                p.AddWithValue("tenants", tenants);
                p.AddWithValue("anchor", A);
            },
            ct);

        // Balance per venue: completed payouts not settled yet are available; chargebacks are held or lost.
        await ExecAsync(
            "venue_balances",
            $"""
            INSERT INTO venue_balances (id, tenant_id, venue_id, amount, balance_type, currency, available_balance, pending_balance, held_for_disputes,
                                        lost_to_disputes, reversed_amount, last_payout_at, created_at, updated_at)
            SELECT md5(@seed || ':balance:' || v.id)::uuid, v.tenant_id, v.id,
                   coalesce(u.unsettled, 0), 'available', 'USD', (coalesce(u.unsettled, 0) * 100)::bigint, 0,
                   coalesce(cb.held, 0), coalesce(cb.lost, 0), coalesce(r.refunded, 0),
                   s.last_payout, v.created_at, coalesce(s.last_payout, v.created_at)
            FROM venues v
            LEFT JOIN (SELECT venue_id, sum(payout) AS unsettled FROM {VenuePayments}
                       WHERE status = 'completed' AND wk >= date_trunc('week', @anchor::timestamptz)
                       GROUP BY venue_id) u ON u.venue_id = v.id
            LEFT JOIN (SELECT pt.venue_id, sum(cb.amount_cents) FILTER (WHERE cb.status IN ('open', 'under_review')) AS held,
                              sum(cb.amount_cents) FILTER (WHERE cb.status = 'lost') AS lost
                       FROM payment_chargebacks cb JOIN payment_transactions pt ON pt.id = cb.transaction_id
                       WHERE cb.tenant_id = ANY(@tenants) GROUP BY pt.venue_id) cb ON cb.venue_id = v.id
            LEFT JOIN (SELECT pt.venue_id, (sum(pr.amount) * 100)::bigint AS refunded
                       FROM payment_refunds pr JOIN payment_transactions pt ON pt.id = pr.transaction_id
                       WHERE pr.tenant_id = ANY(@tenants) GROUP BY pt.venue_id) r ON r.venue_id = v.id
            LEFT JOIN (SELECT venue_id, max(processed_at) AS last_payout FROM settlement_batches WHERE tenant_id = ANY(@tenants) GROUP BY venue_id) s ON s.venue_id = v.id
            WHERE v.tenant_id = ANY(@tenants)
            ORDER BY v.id
            """,
            p =>
            {
                p.AddWithValue("seed", S(_ctx.Seed));
                p.AddWithValue("tenants", tenants);
                p.AddWithValue("anchor", A);
            },
            ct);
    }
}
