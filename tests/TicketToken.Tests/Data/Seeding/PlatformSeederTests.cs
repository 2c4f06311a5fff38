using Npgsql;
using TicketToken.Data.Seeding;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data.Seeding;

public sealed class PlatformSeederTests(SeedingDatabases dbs) : IClassFixture<SeedingDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Demo_seed_fills_every_platform_table_quickly()
    {
        var report = dbs.FirstReport;
        TestContext.Current.SendDiagnosticMessage($"demo seed: {dbs.FirstSeedTime.TotalSeconds:F1} s, {report.RowsWritten} rows written");

        Assert.False(report.AlreadySeeded);
        var tables = await ScalarAsync<long>(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT LIKE 'knex_migrations%'
            """);
        Assert.Equal(tables, report.RowsPerTable.Count);
        Assert.Empty(report.RowsPerTable.Where(kv => kv.Value == 0).Select(kv => kv.Key));
        Assert.Equal(tables, report.HandSeededTables.Count + report.GenericTables.Count);

        Assert.InRange(report.RowsPerTable["orders"], 9_000, 11_000);
        Assert.True(report.RowsPerTable["tickets"] > report.RowsPerTable["orders"]);
        Assert.True(report.Elapsed < TimeSpan.FromSeconds(30), $"demo seed took {report.Elapsed}");

        // The demo tenant and its venues are the ones the portal links its demo venue manager to.
        Assert.Equal(report.DemoTenantId, await ScalarAsync<Guid>($"SELECT id FROM tenants WHERE slug = '{PlatformSeeder.DemoTenantSlug}'"));
        Assert.NotEmpty(report.DemoVenueIds);
        Assert.Equal(report.DemoVenueIds.Count, await ScalarAsync<long>($"SELECT count(*) FROM venues WHERE tenant_id = '{report.DemoTenantId}'"));
    }

    [Fact]
    public async Task Every_foreign_key_holds()
    {
        var fks = await ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace");
        Assert.Equal(fks, dbs.FirstReport.ForeignKeysChecked);
        Assert.Empty(dbs.FirstReport.ForeignKeyViolations);

        // Check again, independently of the report.
        await using var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(dbs.SeededDatabase));
        await using var conn = await ds.OpenConnectionAsync(Ct);
        var catalog = await DbCatalog.ReadAsync(conn, Ct);
        var (violations, checkedCount) = await PlatformSeeder.VerifyForeignKeysAsync(conn, catalog, Ct);
        Assert.Equal(fks, checkedCount);
        Assert.Empty(violations);
    }

    [Theory]
    [InlineData("order total = items - discounts + fees + tax",
        "SELECT count(*) FROM orders WHERE total_cents <> subtotal_cents - discount_cents + platform_fee_cents + processing_fee_cents + tax_cents")]
    [InlineData("order subtotal = sum of its items",
        "SELECT count(*) FROM orders o WHERE subtotal_cents <> (SELECT coalesce(sum(total_price_cents), -1) FROM order_items i WHERE i.order_id = o.id)")]
    [InlineData("item total = quantity x unit price",
        "SELECT count(*) FROM order_items WHERE total_price_cents <> quantity * unit_price_cents")]
    [InlineData("order discount = sum of its applied discounts",
        "SELECT count(*) FROM orders o WHERE discount_cents <> (SELECT coalesce(sum(amount_cents), 0) FROM order_discounts d WHERE d.order_id = o.id)")]
    [InlineData("paid orders have one ticket per unit sold",
        """
        SELECT count(*) FROM orders o
        LEFT JOIN (SELECT metadata->>'order_number' AS n, count(*) AS c FROM tickets GROUP BY 1) t ON t.n = o.order_number
        WHERE o.status IN ('CONFIRMED', 'COMPLETED', 'REFUNDED') AND coalesce(t.c, 0) <> o.ticket_quantity
        """)]
    [InlineData("payment amount = order total",
        "SELECT count(*) FROM payment_transactions p JOIN orders o ON o.id = p.order_id WHERE p.amount * 100 <> o.total_cents")]
    [InlineData("payment = venue payout + platform fee + processing fee + tax",
        "SELECT count(*) FROM payment_transactions p JOIN orders o ON o.id = p.order_id WHERE p.status <> 'failed' AND (p.venue_payout + p.platform_fee + p.tax_amount) * 100 + o.processing_fee_cents <> o.total_cents")]
    [InlineData("refunds never exceed the payment",
        "SELECT count(*) FROM payment_transactions p WHERE (SELECT coalesce(sum(amount), 0) FROM payment_refunds r WHERE r.transaction_id = p.id) > p.amount")]
    [InlineData("order refunds never exceed the order total",
        "SELECT count(*) FROM orders o WHERE (SELECT coalesce(sum(refund_amount_cents), 0) FROM order_refunds r WHERE r.order_id = o.id) > o.total_cents")]
    [InlineData("fully refunded payments are refunded in full",
        "SELECT count(*) FROM payment_transactions p WHERE p.status = 'refunded' AND (SELECT sum(amount) FROM payment_refunds r WHERE r.transaction_id = p.id) IS DISTINCT FROM p.amount")]
    [InlineData("chargebacks never exceed the payment",
        "SELECT count(*) FROM payment_chargebacks c JOIN payment_transactions p ON p.id = c.transaction_id WHERE c.amount_cents > p.amount * 100")]
    [InlineData("marketplace refunds never exceed what the buyer paid",
        "SELECT count(*) FROM refunds r JOIN marketplace_transfers t ON t.id = r.transfer_id WHERE r.refund_amount > t.usd_value OR r.refund_amount > r.original_amount")]
    [InlineData("each settlement batch adds up to the payouts of its venue and week",
        """
        SELECT count(*) FROM settlement_batches b
        CROSS JOIN LATERAL (
            SELECT sum(p.venue_payout) AS total, count(*)::int AS n FROM payment_transactions p
            WHERE p.venue_id = b.venue_id AND p.status = 'completed'
              AND p.created_at >= (b.metadata->>'period_start')::timestamptz AND p.created_at < (b.metadata->>'period_end')::timestamptz) x
        WHERE b.total_amount IS DISTINCT FROM x.total OR b.payment_count <> x.n
        """)]
    [InlineData("tax records state each venue's completed payouts of the year",
        """
        SELECT count(*) FROM tax_records t
        WHERE t.amount <> (SELECT sum(venue_payout) FROM payment_transactions p
                           WHERE p.venue_id = t.venue_id AND p.status = 'completed' AND extract(year FROM p.created_at AT TIME ZONE 'UTC') = t.year)
        """)]
    [InlineData("1099-K gross = tax record amount",
        "SELECT count(*) FROM form_1099_records f JOIN tax_records t ON t.venue_id = f.venue_id AND t.year = f.year WHERE f.gross_amount <> t.amount")]
    [InlineData("ticket types: sold = tickets not refunded, available <= quantity - sold (reservations hold more)",
        "SELECT count(*) FROM ticket_types tt WHERE sold_quantity <> (SELECT count(*) FROM tickets t WHERE t.ticket_type_id = tt.id AND t.status <> 'refunded') OR available_quantity > quantity - sold_quantity")]
    public async Task Money_and_counts_add_up(string rule, string violationsSql)
    {
        var violations = await ScalarAsync<long>(violationsSql);
        Assert.True(violations == 0, $"{rule}: {violations} violations");
    }

    [Fact]
    public async Task Settlements_cover_every_completed_payment_of_the_weeks_before_the_anchor()
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(dbs.SeededDatabase));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(
            """
            SET TimeZone = 'UTC';
            SELECT (SELECT sum(total_amount) FROM settlement_batches),
                   (SELECT sum(venue_payout) FROM payment_transactions WHERE status = 'completed' AND created_at < date_trunc('week', @anchor::timestamptz))
            """, conn);
        cmd.Parameters.AddWithValue("anchor", new SeedOptions(SeedScale.Demo).AnchorUtc);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await r.ReadAsync(Ct));
        var settled = r.GetDecimal(0);
        Assert.True(settled > 0);
        Assert.Equal(r.GetDecimal(1), settled);
    }

    /// <summary>
    /// The seeder writes orders by tenant, then event (each in PostgreSQL's uuid order), newest first, tickets with their
    /// orders, and hands out ids and numbers in that sequence (ADR 0003, "Rows in index order"): in number order, ids
    /// only go up (which also checks that .NET sorts Guids as PostgreSQL sorts uuids), (tenant, event) never goes down,
    /// and an event's orders go from newest to oldest.
    /// </summary>
    [Theory]
    [InlineData("orders", "order_number", "created_at")]
    [InlineData("tickets", "ticket_number", null)]
    public async Task Ids_follow_the_planned_sequence_that_the_numbers_count(string table, string number, string? newestFirst)
    {
        Assert.True(await ScalarAsync<long>($"SELECT count(*) FROM {table}") > 5_000);
        Assert.Equal(0, await OutOfSequenceAsync(dbs.SeededDatabase, table, number, number, newestFirst));
    }

    /// <summary>
    /// Rows of <paramref name="table"/> that break the sequence when read in <paramref name="readOrder"/>: an id or
    /// number not above the previous row's, a (tenant, event) below it, or (with <paramref name="newestFirst"/>) a
    /// newer row after an older one of the same event.
    /// </summary>
    private static Task<long> OutOfSequenceAsync(string database, string table, string number, string readOrder, string? newestFirst = null)
    {
        var newer = newestFirst is null ? "false" : "(tenant_id, event_id) = (prev_tenant, prev_event) AND time > prev_time";
        return ScalarAsync(
            database,
            $"""
            SELECT count(*)
            FROM (SELECT id, {number} AS number, tenant_id, event_id, {newestFirst ?? "NULL::timestamptz"} AS time,
                         lag(id) OVER w AS prev_id, lag({number}) OVER w AS prev_number, lag(tenant_id) OVER w AS prev_tenant,
                         lag(event_id) OVER w AS prev_event, lag({newestFirst ?? "NULL::timestamptz"}) OVER w AS prev_time
                  FROM public.{table} WINDOW w AS (ORDER BY {readOrder})) x
            WHERE id <= prev_id OR number <= prev_number OR (tenant_id, event_id) < (prev_tenant, prev_event) OR {newer}
            """);
    }

    [Fact]
    public async Task Reseeding_a_seeded_database_changes_nothing()
    {
        var before = await ChecksumAsync(dbs.SeededDatabase, "orders");
        var report = await SeedingDatabases.SeedAsync(dbs.SeededDatabase, SeedingDatabases.Seed);

        Assert.True(report.AlreadySeeded);
        Assert.Equal(dbs.FirstReport.DemoTenantId, report.DemoTenantId);
        Assert.Equal(dbs.FirstReport.DemoVenueIds, report.DemoVenueIds);
        Assert.Equal(dbs.FirstReport.RowsPerTable, report.RowsPerTable);
        Assert.Equal(before, await ChecksumAsync(dbs.SeededDatabase, "orders"));
    }

    [Fact]
    public async Task Same_seed_gives_identical_rows_in_another_database()
    {
        var other = await dbs.CloneAsync("tt_seed_b");
        var report = await SeedingDatabases.SeedAsync(other, SeedingDatabases.Seed);

        Assert.Equal(dbs.FirstReport.DemoTenantId, report.DemoTenantId);
        Assert.Equal(dbs.FirstReport.DemoVenueIds, report.DemoVenueIds);
        foreach (var table in new[] { "tenants", "venues", "events", "ticket_types", "orders", "order_items", "tickets", "payment_transactions", "payment_refunds", "settlement_batches", "marketplace_listings", "risk_flags", "venue_verifications" })
        {
            Assert.Equal(await ChecksumAsync(dbs.SeededDatabase, table), await ChecksumAsync(other, table));
        }
    }

    [Fact]
    public async Task Bulk_mode_gives_the_same_rows_indexes_and_valid_keys_as_the_normal_path()
    {
        // Bulk mode (large scale with a superuser) truncates the empty bulk tables, loads them with COPY FREEZE and
        // triggers off, and rebuilds their secondary indexes: forced here at demo scale, it must give the same data.
        var other = await dbs.CloneAsync("tt_seed_bulk");
        await using var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(other));
        var report = await new PlatformSeeder(ds).SeedAsync(new SeedOptions(SeedScale.Demo, SeedingDatabases.Seed) { BulkMode = true }, null, Ct);

        Assert.True(report.BulkModeUsed);
        Assert.Empty(report.ForeignKeyViolations);
        Assert.Equal(dbs.FirstReport.ForeignKeysChecked, report.ForeignKeysChecked);
        foreach (var table in CoreSeeder.BulkTables.Concat(["tenants", "venues", "events", "ticket_types", "settlement_batches", "venue_balances", "tax_records"]))
        {
            Assert.Equal((table, await ChecksumAsync(dbs.SeededDatabase, table)), (table, await ChecksumAsync(other, table)));
            Assert.Equal((table, await IndexesAsync(dbs.SeededDatabase, table)), (table, await IndexesAsync(other, table)));
        }

        // Nothing updates these tables in bulk mode: their rows lie in the heap in the planned sequence, which is what
        // makes their index builds cheap.
        Assert.Equal(0, await OutOfSequenceAsync(other, "orders", "order_number", "ctid", "created_at"));
        Assert.Equal(0, await OutOfSequenceAsync(other, "tickets", "ticket_number", "ctid"));

        // Every table still has rows (the truncated ones were empty, and refilled).
        Assert.Empty(report.RowsPerTable.Where(kv => kv.Value == 0).Select(kv => kv.Key));
        Assert.Equal(dbs.FirstReport.RowsPerTable.Keys.Order(), report.RowsPerTable.Keys.Order());

        // Idempotent in bulk mode too.
        var again = await new PlatformSeeder(ds).SeedAsync(new SeedOptions(SeedScale.Demo, SeedingDatabases.Seed) { BulkMode = true }, null, Ct);
        Assert.True(again.AlreadySeeded);
        Assert.Equal(report.RowsPerTable, again.RowsPerTable);
    }

    [Fact]
    public async Task A_role_subject_to_row_level_security_is_refused_with_a_clear_message()
    {
        var role = TestDatabase.UniqueName("tt_seed_rls").ToLowerInvariant();
        await TestDatabase.ExecuteAdminAsync($"CREATE ROLE {role} LOGIN PASSWORD 'pw' NOSUPERUSER NOBYPASSRLS");
        try
        {
            await using var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(dbs.SeededDatabase, role, "pw"));
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => new PlatformSeeder(ds).SeedAsync(new SeedOptions(SeedScale.Demo), null, Ct));
            Assert.Contains("BYPASSRLS", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestDatabase.ExecuteAdminAsync($"DROP ROLE IF EXISTS {role}");
        }
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(dbs.SeededDatabase));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<string> IndexesAsync(string database, string table)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public' AND tablename = @t", conn);
        cmd.Parameters.AddWithValue("t", table);
        return (string)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    [Fact]
    public async Task Another_anchor_moves_every_date_by_the_same_amount_and_keeps_the_rows()
    {
        var shifted = await dbs.CloneAsync("tt_seed_anchor");
        var options = new SeedOptions(SeedScale.Demo, SeedingDatabases.Seed);
        // Whole weeks: settlements are weekly, so another weekday would cut the weeks, and their batches, differently.
        var delta = TimeSpan.FromDays(7 * 38);
        await using (var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(shifted)))
        {
            var report = await new PlatformSeeder(ds).SeedAsync(options with { AnchorUtc = options.AnchorUtc + delta }, null, Ct);
            // Tax records and 1099-K forms are one per venue and calendar year with payouts: the default anchor's data
            // spans two years, this one's a single year, so they differ in count and only in count.
            string[] yearly = ["tax_records", "form_1099_records"];
            Assert.All(yearly, t => Assert.Equal(report.RowsPerTable["venues"], report.RowsPerTable[t]));
            Assert.All(yearly, t => Assert.Equal(2 * report.RowsPerTable["venues"], dbs.FirstReport.RowsPerTable[t]));
            var differ = report.RowsPerTable.Where(t => !yearly.Contains(t.Key) && dbs.FirstReport.RowsPerTable.GetValueOrDefault(t.Key) != t.Value)
                .Select(t => $"{t.Key}: {dbs.FirstReport.RowsPerTable.GetValueOrDefault(t.Key)} -> {t.Value}");
            Assert.Empty(differ);
        }

        foreach (var (table, column) in new[] { ("event_schedules", "starts_at"), ("orders", "created_at"), ("payment_transactions", "created_at"), ("ticket_scans", "scanned_at") })
        {
            var before = await TimesAsync(dbs.SeededDatabase, table, column);
            var after = await TimesAsync(shifted, table, column);
            Assert.NotEmpty(before);
            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            var moved = before.Where(b => after[b.Key] - b.Value == delta).Count();
            Assert.True(moved == before.Count, $"{table}.{column}: {before.Count - moved} of {before.Count} rows did not move by {delta.TotalDays} days");
        }

        // Around the new day: events on both sides of it, every order before it.
        Assert.Equal(0L, await ScalarAsync(shifted, $"SELECT count(*) FROM public.orders WHERE created_at > '{options.AnchorUtc + delta:O}'"));
        Assert.True(await ScalarAsync(shifted, $"SELECT count(*) FROM public.event_schedules WHERE starts_at > '{options.AnchorUtc + delta:O}'") > 0);
        Assert.True(await ScalarAsync(shifted, $"SELECT count(*) FROM public.event_schedules WHERE starts_at < '{options.AnchorUtc + delta:O}'") > 0);
    }

    private static async Task<Dictionary<Guid, DateTime>> TimesAsync(string database, string table, string column)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand($"SELECT id, {column} FROM public.{table} WHERE {column} IS NOT NULL", conn);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        var times = new Dictionary<Guid, DateTime>();
        while (await reader.ReadAsync(Ct))
        {
            times[reader.GetGuid(0)] = reader.GetDateTime(1);
        }

        return times;
    }

    internal static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    internal static async Task<string> ScalarTextAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (string)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    internal static async Task<string> ChecksumAsync(string database, string table)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand($"SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t", conn);
        return (string)(await cmd.ExecuteScalarAsync(Ct))!;
    }
}
