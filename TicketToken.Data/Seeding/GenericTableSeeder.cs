using System.Globalization;
using System.Net;
using Npgsql;

namespace TicketToken.Data.Seeding;

/// <summary>
/// Fills a table from its catalog metadata alone: every column gets a value that fits its type, length, precision,
/// enum labels and CHECK rules; foreign keys point at rows that exist (preferring rows of the same tenant);
/// unique constraints are respected; well-known uuid columns without a foreign key (tenant_id, venue_id, user_id, …)
/// point at the seeded core rows.
/// </summary>
internal sealed class GenericTableSeeder
{
    private const int CandidateLimit = 2000;

    private readonly NpgsqlConnection _conn;
    private readonly DbCatalog _catalog;
    private readonly SeedContext _ctx;
    private readonly IReadOnlySet<ForeignKeyInfo> _deferred;
    private readonly Dictionary<string, Pool> _pools = new(StringComparer.Ordinal);

    public GenericTableSeeder(NpgsqlConnection conn, DbCatalog catalog, SeedContext ctx, IReadOnlySet<ForeignKeyInfo> deferred)
    {
        _conn = conn;
        _catalog = catalog;
        _ctx = ctx;
        _deferred = deferred;
    }

    /// <summary>Rows of a referenced table: the referenced column values and, when the table has one, the tenant.</summary>
    private sealed record Pool(List<object?[]> Rows, List<Guid?> Tenants);

    private static readonly Dictionary<string, string> NamedReferences = BuildNamedReferences();

    private static Dictionary<string, string> BuildNamedReferences()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["venue_id"] = "venues",
            ["event_id"] = "events",
            ["ticket_id"] = "tickets",
            ["order_id"] = "orders",
            ["ticket_type_id"] = "ticket_types",
            ["schedule_id"] = "event_schedules",
            ["listing_id"] = "marketplace_listings",
            ["transaction_id"] = "payment_transactions",
            ["payment_transaction_id"] = "payment_transactions",
            ["original_transaction_id"] = "payment_transactions",
            ["chargeback_id"] = "payment_chargebacks",
            ["settlement_batch_id"] = "settlement_batches",
            ["mint_id"] = "nft_mints",
            ["parent_order_id"] = "orders",
        };
        foreach (var u in new[]
                 {
                     "user_id", "customer_id", "buyer_id", "seller_id", "owner_id", "created_by", "updated_by", "approved_by",
                     "reviewed_by", "initiated_by", "granted_by", "revoked_by", "actor_id", "performed_by", "requested_by",
                     "scanned_by", "added_by", "assigned_to", "resolved_by", "submitted_by", "uploaded_by", "verified_by",
                     "from_user_id", "to_user_id", "recipient_user_id", "sender_id", "admin_id", "admin_user_id", "changed_by",
                     "deleted_by", "cancelled_by", "processed_by", "reporter_id", "reported_by", "target_user_id", "staff_id",
                     "accessed_by", "shared_by", "shared_with", "member_id", "organizer_id", "manager_id", "approver_id",
                     "rejected_by", "blocked_by", "flagged_by", "triggered_by", "acknowledged_by", "escalated_to",
                 })
        {
            d[u] = "users";
        }

        return d;
    }

    public async Task<long> SeedAsync(TableInfo table, int rowCount, bool safeMode, IProgress<SeedProgress>? progress, int stageIndex, int stageCount, CancellationToken ct)
    {
        var (rules, comparisons) = CheckRules.Parse(table);
        var columns = table.Columns.Where(c => !c.IsDatabaseFilled).ToList();
        var tenantCol = table.Column("tenant_id");
        var fkByColumn = new Dictionary<string, (ForeignKeyInfo Fk, int Position)>(StringComparer.Ordinal);
        foreach (var fk in table.ForeignKeys)
        {
            for (var i = 0; i < fk.Columns.Count; i++)
            {
                fkByColumn.TryAdd(fk.Columns[i], (fk, i));
            }
        }

        var pools = new Dictionary<ForeignKeyInfo, Pool>();
        foreach (var fk in table.ForeignKeys.Where(f => !f.IsSelfReference && !_deferred.Contains(f)))
        {
            pools[fk] = await PoolAsync(fk.RefTable, fk.RefColumns, ct);
        }

        var named = new Dictionary<string, Pool>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            if (c.TypeName == "uuid" && !fkByColumn.ContainsKey(c.Name) && NamedReferences.TryGetValue(c.Name, out var target)
                && _catalog.HasTable(target) && target != table.Name)
            {
                var p = await PoolAsync(target, ["id"], ct);
                if (p.Rows.Count > 0)
                {
                    named[c.Name] = p;
                }
            }
        }

        var uniqueSets = table.Uniques.Select(u => (u, Seen: new HashSet<string>(StringComparer.Ordinal))).ToList();
        var uniqueColumns = new HashSet<string>(table.Uniques.SelectMany(u => u.Columns), StringComparer.Ordinal);
        var selfIds = new List<object?>();
        var pkCol = table.PrimaryKey.Count == 1 ? table.PrimaryKey[0] : null;

        await using var writer = await CopyTableWriter.OpenAsync(_conn, table, columns.Select(c => c.Name).ToList(), preferBinary: false, ct);
        var values = new object?[columns.Count];
        var index = columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);

        for (var row = 0; row < rowCount; row++)
        {
            var accepted = false;
            for (var attempt = 0; attempt < 25 && !accepted; attempt++)
            {
                var rng = Rng.For(_ctx.Seed, "generic:" + table.Name, (row * 31L) + attempt);
                var tenant = _ctx.PickTenant(ref rng);
                var rowTime = _ctx.Anchor.AddMinutes(-rng.Next(60, 60 * 24 * 150));
                var chosenFk = new Dictionary<ForeignKeyInfo, object?[]?>();

                for (var i = 0; i < columns.Count; i++)
                {
                    var c = columns[i];
                    rules.TryGetValue(c.Name, out var rule);
                    if (fkByColumn.TryGetValue(c.Name, out var fkRef))
                    {
                        values[i] = ForeignKeyValue(table, c, fkRef.Fk, fkRef.Position, pools, chosenFk, selfIds, tenant, safeMode, ref rng);
                        continue;
                    }

                    if (c.Name == "tenant_id")
                    {
                        values[i] = c.TypeName == "uuid" ? tenant : tenant.ToString();
                        continue;
                    }

                    if (named.TryGetValue(c.Name, out var pool))
                    {
                        values[i] = PickFromPool(pool, tenant, ref rng)?[0];
                        continue;
                    }

                    if (!c.NotNull && (safeMode || Skip(c, ref rng)))
                    {
                        values[i] = null;
                        continue;
                    }

                    values[i] = ValueGenerator.Value(table, c, rule, ref rng, row, rowTime, _ctx, uniqueColumns.Contains(c.Name));
                }

                for (var pass = 0; pass < 4; pass++)
                {
                    ApplyComparisons(table, comparisons, values, index); // chains (a <= b AND b <= c) settle in a few passes
                }

                if (pkCol is not null && index.TryGetValue(pkCol, out var pkIdx) && values[pkIdx] is Guid)
                {
                    values[pkIdx] = _ctx.Ids.Id("generic:" + table.Name, row);
                }

                accepted = true;
                foreach (var (u, seen) in uniqueSets)
                {
                    if (u.Columns.Any(c => !index.ContainsKey(c) || values[index[c]] is null))
                    {
                        continue; // NULLs never collide (and database-filled columns are unique by construction)
                    }

                    var key = string.Join("\u0001", u.Columns.Select(c => Convert.ToString(values[index[c]], CultureInfo.InvariantCulture)));
                    if (seen.Contains(key))
                    {
                        accepted = false;
                        break;
                    }
                }

                if (accepted)
                {
                    foreach (var (u, seen) in uniqueSets)
                    {
                        if (u.Columns.All(c => index.ContainsKey(c) && values[index[c]] is not null))
                        {
                            seen.Add(string.Join("\u0001", u.Columns.Select(c => Convert.ToString(values[index[c]], CultureInfo.InvariantCulture))));
                        }
                    }
                }
            }

            if (!accepted)
            {
                continue; // the unique constraints leave no room for more rows (e.g. one row per venue)
            }

            writer.WriteRow(values);
            if (pkCol is not null && index.TryGetValue(pkCol, out var p2))
            {
                selfIds.Add(values[p2]);
            }
        }

        var written = await writer.CompleteAsync(ct);
        progress?.Report(new SeedProgress(table.Name, written, rowCount, stageIndex, stageCount));
        return written;
    }

    private static bool Skip(ColumnInfo c, ref Rng rng)
    {
        var n = c.Name;
        if (n is "deleted_at" or "revoked_at" or "archived_at" || n.StartsWith("error", StringComparison.Ordinal) || n.EndsWith("_error", StringComparison.Ordinal)
            || n.Contains("failure", StringComparison.Ordinal) || n.Contains("cancel", StringComparison.Ordinal))
        {
            return true;
        }

        return rng.Chance(0.1);
    }

    private object? ForeignKeyValue(
        TableInfo table, ColumnInfo c, ForeignKeyInfo fk, int position, Dictionary<ForeignKeyInfo, Pool> pools,
        Dictionary<ForeignKeyInfo, object?[]?> chosen, List<object?> selfIds, Guid tenant, bool safeMode, ref Rng rng)
    {
        if (fk.IsSelfReference)
        {
            if (c.NotNull)
            {
                throw new InvalidOperationException($"{table.Name}.{c.Name}: NOT NULL self-reference is not supported");
            }

            return selfIds.Count == 0 || rng.Chance(0.6) ? null : selfIds[rng.Next(selfIds.Count)];
        }

        if (_deferred.Contains(fk))
        {
            return null;
        }

        if (!chosen.TryGetValue(fk, out var tuple))
        {
            var optional = fk.Columns.All(col => !table.Column(col)!.NotNull);
            var pool = pools[fk];
            tuple = (optional && (safeMode || rng.Chance(0.1))) || pool.Rows.Count == 0 ? null : PickFromPool(pool, tenant, ref rng);
            if (tuple is null && !optional)
            {
                throw new InvalidOperationException($"{table.Name}.{c.Name} references {fk.RefTable}, which has no rows");
            }

            chosen[fk] = tuple;
        }

        var v = tuple?[position];
        if (v is Guid g && c.TypeName != "uuid")
        {
            return g.ToString();
        }

        return v;
    }

    private static object?[]? PickFromPool(Pool pool, Guid tenant, ref Rng rng)
    {
        if (pool.Rows.Count == 0)
        {
            return null;
        }

        // Prefer rows of the row's tenant: pick a few times before settling for any row.
        for (var i = 0; i < 8; i++)
        {
            var k = rng.Next(pool.Rows.Count);
            if (pool.Tenants[k] is null || pool.Tenants[k] == tenant)
            {
                return pool.Rows[k];
            }
        }

        return pool.Rows[rng.Next(pool.Rows.Count)];
    }

    private static void ApplyComparisons(TableInfo table, List<ColumnComparison> comparisons, object?[] values, Dictionary<string, int> index)
    {
        foreach (var cmp in comparisons)
        {
            if (!index.TryGetValue(cmp.Left, out var l) || !index.TryGetValue(cmp.Right, out var r) || values[l] is null || values[r] is null)
            {
                continue;
            }

            var lv = values[l]!;
            var rv = values[r]!;
            if (cmp.Op == "<>")
            {
                if (Equals(lv, rv))
                {
                    if (!table.Column(cmp.Right)!.NotNull)
                    {
                        values[r] = null;
                    }
                    else if (!table.Column(cmp.Left)!.NotNull)
                    {
                        values[l] = null;
                    }
                }

                continue;
            }

            var c = Comparer<object>.Default.Compare(lv, rv);
            var ok = cmp.Op switch { "<=" => c <= 0, "<" => c < 0, ">=" => c >= 0, ">" => c > 0, _ => true };
            if (ok)
            {
                continue;
            }

            // Make the left side satisfy the comparison by moving it onto (or just past) the right side.
            values[l] = (cmp.Op, rv) switch
            {
                ("<=" or ">=", _) => rv,
                ("<", DateTime d) => d.AddSeconds(-1),
                (">", DateTime d) => d.AddSeconds(1),
                ("<", int i) => i - 1,
                (">", int i) => i + 1,
                ("<", long i) => i - 1,
                (">", long i) => i + 1,
                ("<", decimal i) => i - 1,
                (">", decimal i) => i + 1,
                _ => rv,
            };
        }
    }

    private async Task<Pool> PoolAsync(string table, IReadOnlyList<string> columns, CancellationToken ct)
    {
        var key = table + "|" + string.Join(",", columns);
        if (_pools.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var t = _catalog[table];
        var hasTenant = t.Column("tenant_id") is { TypeName: "uuid" };
        var cols = string.Join(", ", columns.Select(DbCatalog.Quote));
        var order = string.Join(", ", columns.Select(DbCatalog.Quote));
        var where = hasTenant ? "WHERE tenant_id = ANY(@tenants)" : string.Empty;
        var rows = new List<object?[]>();
        var tenants = new List<Guid?>();
        for (var pass = 0; pass < 2 && rows.Count == 0; pass++)
        {
            var sql = $"SELECT {cols}{(hasTenant ? ", tenant_id" : string.Empty)} FROM {t.QuotedName} {(pass == 0 ? where : string.Empty)} ORDER BY {order} LIMIT {CandidateLimit}";
            await using var cmd = new NpgsqlCommand(sql, _conn);
            cmd.Parameters.AddWithValue("tenants", _ctx.TenantIds.ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var v = new object?[columns.Count];
                for (var i = 0; i < columns.Count; i++)
                {
                    v[i] = r.IsDBNull(i) ? null : r.GetValue(i);
                }

                if (v.All(x => x is not null))
                {
                    rows.Add(v);
                    tenants.Add(hasTenant && !r.IsDBNull(columns.Count) ? r.GetGuid(columns.Count) : null);
                }
            }
        }

        return _pools[key] = new Pool(rows, tenants);
    }

    /// <summary>Forgets cached candidate rows of a table (after it got more rows).</summary>
    public void Invalidate(string table)
    {
        foreach (var k in _pools.Keys.Where(k => k.StartsWith(table + "|", StringComparison.Ordinal)).ToList())
        {
            _pools.Remove(k);
        }
    }
}
