using System.Diagnostics;
using System.Text;
using Npgsql;

namespace TicketToken.Data.Seeding;

/// <summary>
/// Fills a platform database (fresh install or the platform's own) with a coherent, deterministic demo data set:
/// hand-written generators for the core (tenants, users, venues, events, orders, tickets, payments, refunds,
/// chargebacks, settlements, royalties, resale, NFTs, scans) and a catalog-driven generator for every other table.
/// </summary>
/// <remarks>
/// <para>
/// The connection's role must bypass row-level security: a superuser or a role with BYPASSRLS. PostgreSQL refuses
/// COPY FROM into tables under RLS otherwise, and the forced policies would hide the rows the seeder reads back.
/// <see cref="SeedAsync"/> checks this first and throws <see cref="InvalidOperationException"/> otherwise.
/// </para>
/// <para>
/// The run is idempotent: when the demo tenant (slug <c>tickettoken-demo</c>) exists, nothing is written and the
/// report says <see cref="SeedReport.AlreadySeeded"/>. At <see cref="SeedScale.Large"/> with a superuser, the bulk
/// tables are loaded with <c>session_replication_role = replica</c> (no per-row triggers or foreign key checks); the
/// seeder writes what those triggers would have maintained itself and checks every foreign key afterwards.
/// </para>
/// <para>
/// Everything is written in one transaction, except at large scale on a database whose bulk tables are empty and
/// that has the portal's <c>seed_runs</c> table: there the bulk tables are loaded on two connections, each table in a
/// transaction of its own, after the foreign keys that reference them are dropped (and recorded). The rest of the
/// seed, the restored (and validated) foreign keys and the run's completion commit together; a run that fails is
/// undone at once, and one left unfinished by a killed process is undone by the next run (ADR 0003).
/// </para>
/// </remarks>
public sealed class PlatformSeeder
{
    /// <summary>Slug of the demo tenant: its presence marks a seeded database.</summary>
    public const string DemoTenantSlug = "tickettoken-demo";

    /// <summary>The tables with one row per order, ticket or payment (and users): the ones large scale loads in bulk.</summary>
    public static IReadOnlyList<string> BulkTables => CoreSeeder.BulkTables;

    private const long AdvisoryLockKey = 0x7474_5EED;

    /// <summary>The record of runs loaded on several connections (<see cref="Portal.SeedRun"/>), in the portal's schema.</summary>
    private const string SeedRunsTable = "portal.seed_runs";

    private readonly NpgsqlDataSource _dataSource;

    public PlatformSeeder(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
    }

    /// <summary>Seeds the database, or reports that it is already seeded.</summary>
    /// <exception cref="InvalidOperationException">The role is subject to row-level security, or the schema is not the platform's.</exception>
    public async Task<SeedReport> SeedAsync(SeedOptions options, IProgress<SeedProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        await using var conn = await _dataSource.OpenConnectionAsync(ct);

        var superuser = await CheckRoleAsync(conn, ct);
        await ExecAsync(conn, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            // An unfinished run (a killed process) left foreign keys dropped: undo it before reading the schema.
            var hasRunLog = await HasSeedRunLogAsync(conn, ct);
            var undone = hasRunLog ? await UndoUnfinishedRunsAsync(conn, ct) : 0;
            var catalog = await DbCatalog.ReadAsync(conn, ct);
            foreach (var required in CoreSeeder.Tables)
            {
                if (!catalog.HasTable(required))
                {
                    throw new InvalidOperationException($"Table '{required}' is missing: this is not a TicketToken platform database.");
                }
            }

            var existing = await FindDemoTenantAsync(conn, ct);
            if (existing is { } demoTenant)
            {
                return new SeedReport(true, demoTenant, await VenuesOfAsync(conn, demoTenant, ct), await CountRowsAsync(conn, catalog, ct), clock.Elapsed) { UndoneRuns = undone };
            }

            var ctx = new SeedContext(options);
            var world = new CoreWorld(ctx, options.Scale);
            ctx.TenantIds.AddRange(world.Tenants.Select(t => t.Id));
            if (options.BulkMode == true && !superuser)
            {
                throw new InvalidOperationException("Bulk mode needs a superuser (it switches triggers off with session_replication_role).");
            }

            var bulk = options.BulkMode ?? (options.Scale == SeedScale.Large && superuser);
            var streams = options.Streams ?? (options.Scale == SeedScale.Large ? 2 : 1);
            var run = bulk && streams > 1 && hasRunLog ? await BeginParallelRunAsync(conn, catalog, options, ct) : null;
            if (run is null)
            {
                return await SeedInOneGoAsync(conn, catalog, options, ctx, world, bulk, superuser, null, null, progress, clock, undone, ct);
            }

            await using var parallel = new ParallelLoad(_dataSource, catalog, run.Tables, run.ForeignKeys, streams, progress, options.FailAfterTable, ct);
            try
            {
                return await SeedInOneGoAsync(conn, catalog, options, ctx, world, bulk, superuser, parallel, run, progress, clock, undone, ct);
            }
            catch (Exception e)
            {
                await parallel.AbortAsync();
                if (!options.SkipUndoOnFailure)
                {
                    await UndoRunAsync(conn, run.Id, run.Tables, [.. run.ForeignKeys.Select(k => k.Sql)], e.Message, CancellationToken.None);
                }

                throw;
            }
        }
        finally
        {
            await ExecAsync(conn, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>
    /// Seeds inside one transaction on <paramref name="conn"/>. With <paramref name="parallel"/>, the bulk tables are
    /// loaded by its streams in their own transactions meanwhile; this transaction then restores the foreign keys the
    /// run dropped (PostgreSQL validates each) and marks the run completed, so a commit means a whole seed.
    /// </summary>
    private static async Task<SeedReport> SeedInOneGoAsync(
        NpgsqlConnection conn, DbCatalog catalog, SeedOptions options, SeedContext ctx, CoreWorld world, bool bulk, bool superuser,
        ParallelLoad? parallel, ParallelRun? run, IProgress<SeedProgress>? progress, Stopwatch clock, int undone, CancellationToken ct)
    {
        var (order, deferred) = catalog.DependencyOrder();
        var core = new HashSet<string>(CoreSeeder.Tables, StringComparer.Ordinal);
        var genericTables = order.Where(t => !core.Contains(t)).ToList();
        var stageCount = CoreSeeder.Tables.Count + genericTables.Count + (options.VerifyForeignKeys ? 1 : 0);
        var stage = 0;

        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, $"SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '30s'{(bulk ? $"; {ParallelLoad.QuerySettings}" : string.Empty)}", ct);

        var coreSeeder = new CoreSeeder(conn, catalog, ctx, world, bulk, superuser, progress, () => ++stage, stageCount, parallel);
        await coreSeeder.SeedAsync(ct);
        var written = coreSeeder.RowsWritten + (parallel?.RowsWritten ?? 0);
        var phases = new List<SeedPhase>(coreSeeder.Phases);
        phases.AddRange(parallel?.Phases ?? []);
        var phaseClock = Stopwatch.StartNew();
        var genericRowsBefore = written;

        var generic = new GenericTableSeeder(conn, catalog, ctx, deferred);
        var fallbacks = new List<string>();
        var rowsPerGenericTable = options.Scale == SeedScale.Large ? 48 : 24;
        foreach (var table in genericTables)
        {
            ct.ThrowIfCancellationRequested();
            var info = catalog[table];
            var index = ++stage;
            await ExecAsync(conn, "SAVEPOINT generic_table", ct);
            try
            {
                written += await generic.SeedAsync(info, rowsPerGenericTable, safeMode: false, progress, index, stageCount, ct);
            }
            catch (PostgresException first)
            {
                fallbacks.Add($"{table}: {first.MessageText}");
                // Some CHECK shapes are beyond the parser: retry with every optional column NULL.
                await ExecAsync(conn, "ROLLBACK TO SAVEPOINT generic_table", ct);
                try
                {
                    written += await generic.SeedAsync(info, rowsPerGenericTable, safeMode: true, progress, index, stageCount, ct);
                }
                catch (PostgresException second)
                {
                    throw new InvalidOperationException($"Could not seed table '{table}': {first.MessageText} / {second.MessageText} ({second.ConstraintName})", second);
                }
            }

            await ExecAsync(conn, "RELEASE SAVEPOINT generic_table", ct);
        }

        phases.Add(new SeedPhase($"{genericTables.Count} generic tables", phaseClock.Elapsed, written - genericRowsBefore));
        var seedingElapsed = clock.Elapsed;
        var restored = new HashSet<string>(StringComparer.Ordinal);
        if (run is not null)
        {
            // Validated by PostgreSQL as they are added: a violation fails the run, which is then undone. The streams
            // have added back (and committed) those between two bulk tables; this transaction adds the rest.
            phaseClock.Restart();
            await parallel!.DrainAsync();
            var onStreams = parallel.RestoredForeignKeys.ToHashSet(StringComparer.Ordinal);
            phases.Add(new SeedPhase($"restore {onStreams.Count} foreign keys on the streams (summed: {parallel.ForeignKeyTime.TotalSeconds:0.0} s; waited)", phaseClock.Elapsed, 0));
            phaseClock.Restart();
            var rest = run.ForeignKeys.Where(k => !onStreams.Contains(k.Key)).ToList();
            foreach (var key in rest)
            {
                await ExecAsync(conn, key.Sql, ct, timeoutSeconds: 0);
            }

            restored.UnionWith(run.ForeignKeys.Select(k => k.Key));
            phases.Add(new SeedPhase($"restore {rest.Count} foreign keys", phaseClock.Elapsed, 0));
        }

        phaseClock.Restart();
        IReadOnlyList<string> violations = [];
        var fkCount = 0;
        if (options.VerifyForeignKeys)
        {
            var verifyStage = ++stage;
            (violations, fkCount) = await VerifyForeignKeysAsync(conn, catalog, ct, restored);
            progress?.Report(new SeedProgress("verify foreign keys", fkCount, fkCount, verifyStage, stageCount));
            if (violations.Count > 0)
            {
                throw new InvalidOperationException("The seeded data violates foreign keys: " + string.Join("; ", violations));
            }

            phases.Add(new SeedPhase($"verify {fkCount - restored.Count} foreign keys", phaseClock.Elapsed, 0));
        }

        if (run is not null)
        {
            await using var done = new NpgsqlCommand($"UPDATE {SeedRunsTable} SET state = 'Completed', ended_at = clock_timestamp() WHERE id = @id", conn);
            done.Parameters.AddWithValue("id", run.Id);
            await done.ExecuteNonQueryAsync(ct);
        }

        phaseClock.Restart();
        await tx.CommitAsync(ct);
        phases.Add(new SeedPhase("commit", phaseClock.Elapsed, 0));

        var demoVenues = world.Venues.Where(v => v.Tenant == 0).Select(v => v.Id).ToList();
        return new SeedReport(false, world.Tenants[0].Id, demoVenues, await CountRowsAsync(conn, catalog, ct), clock.Elapsed)
        {
            RowsWritten = written,
            ForeignKeyViolations = violations,
            ForeignKeysChecked = fkCount,
            HandSeededTables = CoreSeeder.Tables,
            GenericTables = genericTables,
            BulkModeUsed = bulk,
            GenericFallbacks = fallbacks,
            SeedingElapsed = seedingElapsed,
            Phases = phases,
            Streams = run is null ? 1 : parallel!.Streams,
            UndoneRuns = undone,
        };
    }

    /// <summary>Returns whether the role is a superuser; throws when the role is subject to row-level security.</summary>
    private static async Task<bool> CheckRoleAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            throw new InvalidOperationException("Cannot read the current role from pg_roles.");
        }

        var (name, super, bypass) = (r.GetString(0), r.GetBoolean(1), r.GetBoolean(2));
        if (!super && !bypass)
        {
            throw new InvalidOperationException(
                $"The seeder must run as a role that bypasses row-level security (superuser or BYPASSRLS); role '{name}' is subject to RLS, " +
                "so PostgreSQL would refuse COPY into the platform's RLS tables. Use the admin/migration connection, or ALTER ROLE " + name + " BYPASSRLS.");
        }

        return super;
    }

    private static async Task<Guid?> FindDemoTenantAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT id FROM tenants WHERE slug = @slug", conn);
        cmd.Parameters.AddWithValue("slug", DemoTenantSlug);
        return await cmd.ExecuteScalarAsync(ct) is Guid g ? g : null;
    }

    private static async Task<IReadOnlyList<Guid>> VenuesOfAsync(NpgsqlConnection conn, Guid tenant, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT id FROM venues WHERE tenant_id = @t ORDER BY created_at, id", conn);
        cmd.Parameters.AddWithValue("t", tenant);
        var list = new List<Guid>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(r.GetGuid(0));
        }

        return list;
    }

    private static async Task<IReadOnlyDictionary<string, long>> CountRowsAsync(NpgsqlConnection conn, DbCatalog catalog, CancellationToken ct)
    {
        var names = catalog.Tables.Keys.Order(StringComparer.Ordinal).ToList();
        var sql = new StringBuilder();
        for (var i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(" UNION ALL ");
            }

            sql.Append("SELECT ").Append(i).Append(", count(*) FROM ").Append(DbCatalog.Quote(names[i]));
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand(sql.ToString(), conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            result[names[r.GetInt32(0)]] = r.GetInt64(1);
        }

        return result;
    }

    /// <summary>Checks every foreign key with an anti-join (MATCH SIMPLE: rows with a NULL key column are not checked).</summary>
    /// <param name="validated">Foreign keys (<c>table.name</c>) PostgreSQL has just validated, added back by this run: counted, not queried again.</param>
    internal static async Task<(IReadOnlyList<string> Violations, int Checked)> VerifyForeignKeysAsync(NpgsqlConnection conn, DbCatalog catalog, CancellationToken ct, IReadOnlySet<string>? validated = null)
    {
        var violations = new List<string>();
        var n = 0;
        foreach (var table in catalog.Tables.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var fk in table.ForeignKeys)
            {
                n++;
                if (validated is not null && validated.Contains($"{table.Name}.{fk.Name}"))
                {
                    continue;
                }

                var notNull = string.Join(" AND ", fk.Columns.Select(c => $"c.{DbCatalog.Quote(c)} IS NOT NULL"));
                var join = string.Join(" AND ", fk.Columns.Select((c, i) => $"p.{DbCatalog.Quote(fk.RefColumns[i])} = c.{DbCatalog.Quote(c)}"));
                var sql = $"SELECT count(*) FROM {table.QuotedName} c WHERE {notNull} AND NOT EXISTS (SELECT 1 FROM {catalog[fk.RefTable].QuotedName} p WHERE {join})";
                await using var cmd = new NpgsqlCommand(sql, conn);
                var bad = (long)(await cmd.ExecuteScalarAsync(ct))!;
                if (bad > 0)
                {
                    violations.Add($"{fk.Name} ({table.Name} -> {fk.RefTable}): {bad} rows");
                }
            }
        }

        return (violations, n);
    }

    private static async Task<bool> HasSeedRunLogAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT to_regclass('{SeedRunsTable}') IS NOT NULL", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Starts a run on several connections when every bulk table, and every table that references one, is empty
    /// (checked under an ACCESS EXCLUSIVE lock); returns null otherwise (the seed then runs in one transaction). In one
    /// committed transaction it records the run in <c>portal.seed_runs</c> (its tables and the statements that restore
    /// what it drops) and drops every foreign key that references a bulk table, so each bulk table can be TRUNCATEd and
    /// loaded in a transaction of its own.
    /// </summary>
    private static async Task<ParallelRun?> BeginParallelRunAsync(NpgsqlConnection conn, DbCatalog catalog, SeedOptions options, CancellationToken ct)
    {
        var tables = CoreSeeder.BulkTables.Where(catalog.HasTable).ToList();
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, "SET LOCAL lock_timeout = '30s'", ct);
        if ((await CoreSeeder.LockBulkTablesAsync(conn, catalog, CoreSeeder.BulkClosures(catalog), ct)).Count > 0)
        {
            await tx.RollbackAsync(ct);
            return null;
        }

        var keys = new List<(string Table, string Name, string Def, string Referenced)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), p.relname
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class p ON p.oid = con.confrelid
            JOIN pg_namespace n ON n.oid = p.relnamespace
            WHERE con.contype = 'f' AND n.nspname = 'public' AND p.relname = ANY(@tables) AND c.relnamespace = n.oid
            ORDER BY c.relname, con.conname
            """, conn))
        {
            cmd.Parameters.AddWithValue("tables", tables.ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                keys.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
            }
        }

        var run = new ParallelRun(
            Guid.NewGuid(),
            tables,
            [.. keys.Select(k => new ParallelLoad.ForeignKeyRestore(
                k.Table, k.Referenced, $"{k.Table}.{k.Name}", $"ALTER TABLE {catalog[k.Table].QuotedName} ADD CONSTRAINT {DbCatalog.Quote(k.Name)} {k.Def}"))]);
        await using (var cmd = new NpgsqlCommand(
            $"INSERT INTO {SeedRunsTable} (id, state, seed, scale, tables, restore_sql, started_at) VALUES (@id, 'Running', @seed, @scale, @tables, @restore, now())", conn))
        {
            cmd.Parameters.AddWithValue("id", run.Id);
            cmd.Parameters.AddWithValue("seed", options.Seed);
            cmd.Parameters.AddWithValue("scale", options.Scale.ToString());
            cmd.Parameters.AddWithValue("tables", run.Tables.ToArray());
            cmd.Parameters.AddWithValue("restore", run.ForeignKeys.Select(k => k.Sql).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        foreach (var (table, name, _, _) in keys)
        {
            await ExecAsync(conn, $"ALTER TABLE {catalog[table].QuotedName} DROP CONSTRAINT {DbCatalog.Quote(name)}", ct);
        }

        await tx.CommitAsync(ct);
        return run;
    }

    /// <summary>Undoes every run left unfinished by a process that stopped mid-way; returns how many.</summary>
    private static async Task<int> UndoUnfinishedRunsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var runs = new List<(Guid Id, string[] Tables, string[] Restore)>();
        await using (var cmd = new NpgsqlCommand($"SELECT id, tables, restore_sql FROM {SeedRunsTable} WHERE state = 'Running' ORDER BY started_at", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                runs.Add((r.GetGuid(0), r.GetFieldValue<string[]>(1), r.GetFieldValue<string[]>(2)));
            }
        }

        foreach (var (id, tables, restore) in runs)
        {
            await UndoRunAsync(conn, id, tables, restore, "interrupted: undone by the next run", ct);
        }

        return runs.Count;
    }

    /// <summary>
    /// Puts the database back as the run found it: its tables emptied (they were empty, and nothing else can have
    /// committed rows: the rest of the seed commits only with the run's completion) and its foreign keys restored,
    /// in one transaction that also marks the run rolled back.
    /// </summary>
    private static async Task UndoRunAsync(NpgsqlConnection conn, Guid id, IReadOnlyList<string> tables, IReadOnlyList<string> restoreSql, string error, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, "SET LOCAL lock_timeout = '30s'", ct);
        if (tables.Count > 0)
        {
            await ExecAsync(conn, $"TRUNCATE {string.Join(", ", tables.Select(t => "public." + DbCatalog.Quote(t)))}", ct);
        }

        foreach (var sql in restoreSql)
        {
            // The streams commit the keys between two bulk tables as they go: those are already back.
            await ExecAsync(conn, "SAVEPOINT restore_key", ct);
            try
            {
                await ExecAsync(conn, sql, ct, timeoutSeconds: 0);
                await ExecAsync(conn, "RELEASE SAVEPOINT restore_key", ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
            {
                await ExecAsync(conn, "ROLLBACK TO SAVEPOINT restore_key", ct);
            }
        }

        await using (var cmd = new NpgsqlCommand($"UPDATE {SeedRunsTable} SET state = 'RolledBack', ended_at = clock_timestamp(), error = left(@error, 2000) WHERE id = @id", conn))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("error", error);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>A run on several connections: its tables and the foreign keys it dropped.</summary>
    private sealed record ParallelRun(Guid Id, IReadOnlyList<string> Tables, IReadOnlyList<ParallelLoad.ForeignKeyRestore> ForeignKeys);

    /// <param name="timeoutSeconds">Npgsql's client-side limit; 0 for statements that may run for minutes (index builds, foreign key validation).</param>
    internal static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct, int timeoutSeconds = 30)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = timeoutSeconds };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
