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
/// Everything is written in one transaction. The run is idempotent: when the demo tenant (slug
/// <c>tickettoken-demo</c>) exists, nothing is written and the report says <see cref="SeedReport.AlreadySeeded"/>.
/// At <see cref="SeedScale.Large"/> with a superuser, the bulk tables are loaded with
/// <c>session_replication_role = replica</c> (no per-row triggers or foreign key checks); the seeder writes what
/// those triggers would have maintained itself and checks every foreign key afterwards.
/// </para>
/// </remarks>
public sealed class PlatformSeeder
{
    /// <summary>Slug of the demo tenant: its presence marks a seeded database.</summary>
    public const string DemoTenantSlug = "tickettoken-demo";

    /// <summary>The tables with one row per order, ticket or payment (and users): the ones large scale loads in bulk.</summary>
    public static IReadOnlyList<string> BulkTables => CoreSeeder.BulkTables;

    private const long AdvisoryLockKey = 0x7474_5EED;

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
                return new SeedReport(true, demoTenant, await VenuesOfAsync(conn, demoTenant, ct), await CountRowsAsync(conn, catalog, ct), clock.Elapsed);
            }

            var ctx = new SeedContext(options);
            var world = new CoreWorld(ctx, options.Scale);
            ctx.TenantIds.AddRange(world.Tenants.Select(t => t.Id));
            if (options.BulkMode == true && !superuser)
            {
                throw new InvalidOperationException("Bulk mode needs a superuser (it switches triggers off with session_replication_role).");
            }

            var bulk = options.BulkMode ?? (options.Scale == SeedScale.Large && superuser);

            var (order, deferred) = catalog.DependencyOrder();
            var core = new HashSet<string>(CoreSeeder.Tables, StringComparer.Ordinal);
            var genericTables = order.Where(t => !core.Contains(t)).ToList();
            var stageCount = CoreSeeder.Tables.Count + genericTables.Count + (options.VerifyForeignKeys ? 1 : 0);
            var stage = 0;

            await using var tx = await conn.BeginTransactionAsync(ct);
            await ExecAsync(conn, "SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '30s'", ct);

            var coreSeeder = new CoreSeeder(conn, catalog, ctx, world, bulk, superuser, progress, () => ++stage, stageCount);
            await coreSeeder.SeedAsync(ct);
            var written = coreSeeder.RowsWritten;
            var phases = new List<SeedPhase>(coreSeeder.Phases);
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
            phaseClock.Restart();
            IReadOnlyList<string> violations = [];
            var fkCount = 0;
            if (options.VerifyForeignKeys)
            {
                var verifyStage = ++stage;
                (violations, fkCount) = await VerifyForeignKeysAsync(conn, catalog, ct);
                progress?.Report(new SeedProgress("verify foreign keys", fkCount, fkCount, verifyStage, stageCount));
                if (violations.Count > 0)
                {
                    throw new InvalidOperationException("The seeded data violates foreign keys: " + string.Join("; ", violations));
                }

                phases.Add(new SeedPhase($"verify {fkCount} foreign keys", phaseClock.Elapsed, 0));
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
            };
        }
        finally
        {
            await ExecAsync(conn, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
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
    internal static async Task<(IReadOnlyList<string> Violations, int Checked)> VerifyForeignKeysAsync(NpgsqlConnection conn, DbCatalog catalog, CancellationToken ct)
    {
        var violations = new List<string>();
        var n = 0;
        foreach (var table in catalog.Tables.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var fk in table.ForeignKeys)
            {
                n++;
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

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
