using System.Data.Common;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.Benchmarks.Harness;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Support;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// The support search (Ctrl-K) by order number, by email and by ticket id: server time of <see cref="SupportSearch.SearchAsync"/>
/// exactly as the portal calls it (classification, the recorded staff read, the read-only transaction, the one UNION ALL
/// statement, grouping), next to the same SQL statement run directly through Npgsql on the same connection string.
/// Both sides use the same connection settings (read-only, automatic preparation). Keys are sampled at random from the data and cycled. The search records each call in the audit log; on a database that must
/// stay as it is (the shared large seed), that insert runs and is rolled back in the same round trip, unless
/// <c>TT_BENCH_KEEP_AUDIT=1</c>. Reads the platform tables through <c>ConnectionStrings:TicketTokenStaffRead</c> when set,
/// else through <c>ConnectionStrings:TicketToken</c> (which must then see every tenant's rows: a BYPASSRLS role or superuser).
/// </summary>
public sealed class LookupBenchmark : IBenchmark
{
    private const int SampleKeys = 200;

    public string Name => "lookup";

    public string Description => "support search by order number, email and ticket id: server p95 and ratio to the same SQL through Npgsql";

    public bool NeedsDatabase => true;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var staffConnection = context.Configuration.GetConnectionString(DataServiceCollectionExtensions.StaffReadConnectionStringName) is { Length: > 0 } s
            ? s
            : context.ConnectionString;
        var keepAudit = Environment.GetEnvironmentVariable("TT_BENCH_KEEP_AUDIT") == "1";
        var platform = new ContextFactory<PlatformDbContext>(() => new PlatformDbContext(context.PlatformOptions()));
        var portal = new ContextFactory<PortalDbContext>(() =>
        {
            var options = new DbContextOptionsBuilder<PortalDbContext>();
            DataServiceCollectionExtensions.ConfigurePortal(options, context.ConnectionString);
            if (!keepAudit)
            {
                options.AddInterceptors(new RollBackAuditInserts());
            }

            return new PortalDbContext(options.Options);
        });
        // As in the portal: search records are queued and group-committed by the read audit writer.
        await using var readAudit = new ReadAuditQueue(portal, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReadAuditQueue>.Instance);
        var access = new CrossTenantAccess(platform, portal, new SystemPortalActor(),
            Options.Create(new DataAccessOptions { StaffReadConnectionString = staffConnection }), TimeProvider.System, readAudit);
        var search = new SupportSearch(access);
        var admin = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Role, PortalRoles.Administrator), new Claim(ClaimTypes.Name, "benchmark")], "bench"));

        // The direct baseline connects exactly as the search does (read-only, statements prepared automatically).
        await using var dataSource = NpgsqlDataSource.Create(CrossTenantAccess.ReadOnlyConnectionString(staffConnection));
        var keys = new (string Key, string Sql)[]
        {
            ("order_number", $"SELECT order_number FROM public.orders ORDER BY random() LIMIT {SampleKeys}"),
            ("email", $"SELECT u.email FROM public.users u WHERE u.deleted_at IS NULL AND EXISTS (SELECT FROM public.orders o WHERE o.user_id = u.id) ORDER BY random() LIMIT {SampleKeys}"),
            ("ticket_id", $"SELECT id::text FROM public.tickets ORDER BY random() LIMIT {SampleKeys}"),
        };

        var auditBefore = await AuditCountAsync(dataSource, cancellationToken);
        var figures = new List<Figure>();
        foreach (var (key, sampleSql) in keys)
        {
            var samples = await SampleAsync(dataSource, sampleSql, cancellationToken);
            if (samples.Count == 0)
            {
                throw new InvalidOperationException($"No {key} to look up: is the database seeded, and does the connection see every tenant?");
            }

            BenchmarkContext.Log($"{key}: {samples.Count} sampled keys, {context.Settings.Iterations} iterations after {context.Settings.Warmup} warm-up");
            foreach (var sample in samples.Take(5))
            {
                var found = await search.SearchAsync(admin, sample, cancellationToken);
                if (found.Count == 0)
                {
                    throw new InvalidOperationException($"The search found nothing for the {key} '{sample}'.");
                }
            }

            // The service and the direct query alternate, after a warm-up long enough for tiered compilation to finish
            // (at least 300 rounds), so that neither side is measured on colder code or a different moment of the machine.
            var plans = samples.Select(k => SupportSearch.Plan(SearchInput.Classify(k))).ToList();
            var i = 0;
            var j = 0;
            var (service, direct) = await Timing.CompareAsync(
                async ct => await search.SearchAsync(admin, samples[i++ % samples.Count], ct),
                async ct =>
                {
                    await using var connection = await dataSource.OpenConnectionAsync(ct);
                    await using var command = connection.CreateCommand();
                    plans[j++ % plans.Count].Bind(command);
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                    }
                },
                Math.Max(context.Settings.Warmup, 300), context.Settings.Iterations, cancellationToken);

            const double ms = 1000.0;
            figures.Add(new Figure($"{Name}.{key}.p95", service.P95 / ms, "ms", $"{key}: SupportSearch.SearchAsync, 95th percentile"));
            figures.Add(new Figure($"{Name}.{key}.p50", service.Median / ms, "ms", $"{key}: SupportSearch.SearchAsync, median"));
            figures.Add(new Figure($"{Name}.{key}.direct.p95", direct.P95 / ms, "ms", $"{key}: the same SQL through Npgsql, 95th percentile"));
            figures.Add(new Figure($"{Name}.{key}.direct.p50", direct.Median / ms, "ms", $"{key}: the same SQL through Npgsql, median"));
            figures.Add(new Figure($"{Name}.{key}.ratio", service.P95 / direct.P95, "x", $"{key}: service p95 / direct p95"));
        }

        var rows = await SampleAsync(dataSource, "SELECT (SELECT count(*) FROM public.orders)::text UNION ALL SELECT (SELECT count(*) FROM public.tickets)::text", cancellationToken);
        figures.Add(new Figure($"{Name}.orders", double.Parse(rows[0], System.Globalization.CultureInfo.InvariantCulture), "count", "orders in the database"));
        figures.Add(new Figure($"{Name}.tickets", double.Parse(rows[1], System.Globalization.CultureInfo.InvariantCulture), "count", "tickets in the database"));
        await readAudit.FlushAsync(cancellationToken);
        var auditAfter = await AuditCountAsync(dataSource, cancellationToken);
        BenchmarkContext.Log(keepAudit
            ? $"audit rows written: {auditAfter - auditBefore}"
            : $"audit inserts rolled back; audit rows before/after: {auditBefore}/{auditAfter}");
        return figures;
    }

    private static async Task<List<string>> SampleAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task<long> AuditCountAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT count(*) FROM portal.audit_log");
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException)
        {
            return -1;
        }
    }

    /// <summary>Runs the audit insert and rolls it back in the same round trip: the cost stays, the row does not.</summary>
    private sealed class RollBackAuditInserts : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Rewrite(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Rewrite(command);
            return result;
        }

        private static void Rewrite(DbCommand command)
        {
            if (!command.CommandText.Contains("INSERT INTO portal.audit_log", StringComparison.Ordinal))
            {
                return;
            }

            // A batch of several records runs in EF's transaction: undo it to a savepoint instead.
            command.CommandText = command.Transaction is null
                ? "BEGIN;\n" + command.CommandText.TrimEnd().TrimEnd(';') + ";\nROLLBACK;"
                : "SAVEPOINT bench_audit;\n" + command.CommandText.TrimEnd().TrimEnd(';') + ";\nROLLBACK TO SAVEPOINT bench_audit;";
        }
    }
}
