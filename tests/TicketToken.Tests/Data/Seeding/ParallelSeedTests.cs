using Microsoft.EntityFrameworkCore;
using Npgsql;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Data.Seeding;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>
/// The large seed's load on several connections (ADR 0003), forced here at demo scale: the same rows and the same
/// schema as the one-transaction path, and a failed or interrupted run undone (by the run itself, or by the next one).
/// </summary>
public sealed class ParallelSeedTests(SeedingDatabases dbs) : IClassFixture<SeedingDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SeedOptions Parallel => new(SeedScale.Demo, SeedingDatabases.Seed) { BulkMode = true, Streams = 2 };

    [Fact]
    public async Task Loading_on_two_connections_gives_the_same_rows_and_schema_as_one_transaction()
    {
        var db = await CloneWithPortalAsync("tt_seed_par");
        var schema = await SchemaAsync(db);

        var report = await SeedAsync(db, Parallel);

        // The same bulk mode (triggers off for the bulk tables, so trigger-made rows differ from the normal path) in one transaction.
        var single = await dbs.CloneAsync("tt_seed_par_one");
        var one = await SeedAsync(single, Parallel with { Streams = 1 });

        Assert.Equal(2, report.Streams);
        Assert.Equal(1, one.Streams);
        Assert.Empty(report.ForeignKeyViolations);
        Assert.Equal(dbs.FirstReport.ForeignKeysChecked, report.ForeignKeysChecked);
        Assert.Equal(Counts(one), Counts(report));
        foreach (var table in CoreSeeder.BulkTables.Concat(["tenants", "venues", "events", "ticket_types", "settlement_batches", "venue_balances", "tax_records"]))
        {
            Assert.Equal((table, await PlatformSeederTests.ChecksumAsync(dbs.SeededDatabase, table)), (table, await PlatformSeederTests.ChecksumAsync(db, table)));
        }

        // Every foreign key, primary key, unique constraint and index the run dropped is back, as it was, and validated.
        Assert.Equal(schema, await SchemaAsync(db));
        Assert.Equal(["Completed"], await RunStatesAsync(db));
        // The record times the whole run (the completing transaction started long before it ended).
        Assert.Equal(1, await PlatformSeederTests.ScalarAsync(db, "SELECT count(*) FROM portal.seed_runs WHERE ended_at > started_at + interval '200 milliseconds'"));

        var again = await SeedAsync(db, Parallel);
        Assert.True(again.AlreadySeeded);
        Assert.Equal(["Completed"], await RunStatesAsync(db));
    }

    [Fact]
    public async Task A_run_that_fails_after_some_tables_committed_puts_the_database_back_as_it_was()
    {
        var db = await CloneWithPortalAsync("tt_seed_par_fail");
        var schema = await SchemaAsync(db);
        var rows = await RowsInPublicAsync(db);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SeedAsync(db, Parallel with { FailAfterTable = "tickets" }));

        Assert.Contains("tickets", ex.Message, StringComparison.Ordinal);
        Assert.Equal(schema, await SchemaAsync(db));
        Assert.Equal(rows, await RowsInPublicAsync(db));
        Assert.Equal(["RolledBack"], await RunStatesAsync(db));
        Assert.Contains("Failure injected", await PlatformSeederTests.ScalarTextAsync(db, "SELECT error FROM portal.seed_runs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_left_unfinished_by_a_killed_process_is_undone_by_the_next_run_which_then_seeds()
    {
        var db = await CloneWithPortalAsync("tt_seed_par_kill");
        var schema = await SchemaAsync(db);
        var foreignKeys = await PlatformSeederTests.ScalarAsync(db, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace");

        // As if the process died right after a stream had added back (and committed) one of the dropped foreign keys
        // (order_items -> orders): nothing undone. The next run's undo must skip that key and restore the others.
        var key = await PlatformSeederTests.ScalarTextAsync(db, """
            SELECT c.relname || '.' || con.conname FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class p ON p.oid = con.confrelid
            WHERE con.contype = 'f' AND c.relname = 'order_items' AND p.relname = 'orders' ORDER BY con.conname LIMIT 1
            """);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SeedAsync(db, Parallel with { FailAfterTable = key, SkipUndoOnFailure = true }));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Equal(["Running"], await RunStatesAsync(db));
        Assert.True(await PlatformSeederTests.ScalarAsync(db, "SELECT count(*) FROM orders") > 0);
        Assert.Equal(1, await PlatformSeederTests.ScalarAsync(db, $"SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conname = '{key.Split('.')[1]}'"));
        Assert.True(await PlatformSeederTests.ScalarAsync(db, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace") < foreignKeys);

        var report = await SeedAsync(db, Parallel);

        Assert.Equal(1, report.UndoneRuns);
        Assert.False(report.AlreadySeeded);
        Assert.Equal(schema, await SchemaAsync(db));
        Assert.Equal(["Completed", "RolledBack"], await RunStatesAsync(db));
        Assert.Equal(dbs.FirstReport.RowsPerTable.Keys.Order(), report.RowsPerTable.Keys.Order());
        foreach (var table in new[] { "orders", "tickets", "users" })
        {
            Assert.Equal((table, await PlatformSeederTests.ChecksumAsync(dbs.SeededDatabase, table)), (table, await PlatformSeederTests.ChecksumAsync(db, table)));
        }
    }

    private static List<string> Counts(SeedReport report) => [.. report.RowsPerTable.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")];

    private async Task<string> CloneWithPortalAsync(string prefix)
    {
        var db = await dbs.CloneAsync(prefix);
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.ConfigurePortal(options, TestDatabase.ConnectionStringFor(db));
        await using var portal = new PortalDbContext(options.Options);
        await portal.Database.MigrateAsync(Ct);
        return db;
    }

    private static async Task<SeedReport> SeedAsync(string database, SeedOptions options)
    {
        await using var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(database));
        return await new PlatformSeeder(ds).SeedAsync(options, null, Ct);
    }

    /// <summary>Every constraint (with its definition and whether it is validated) and every index of the platform schema.</summary>
    private static async Task<List<string>> SchemaAsync(string database) =>
        await TextRowsAsync(
            database,
            """
            SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0
            UNION ALL
            SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
            ORDER BY 1
            """);

    private static async Task<List<string>> RunStatesAsync(string database) =>
        await TextRowsAsync(database, "SELECT state FROM portal.seed_runs ORDER BY state");

    private static async Task<long> RowsInPublicAsync(string database)
    {
        var tables = await TextRowsAsync(database, "SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1");
        return await PlatformSeederTests.ScalarAsync(database, "SELECT " + string.Join(" + ", tables.Select(t => $"(SELECT count(*) FROM public.{t})")));
    }

    private static async Task<List<string>> TextRowsAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await r.ReadAsync(Ct))
        {
            rows.Add(r.GetString(0));
        }

        return rows;
    }
}
