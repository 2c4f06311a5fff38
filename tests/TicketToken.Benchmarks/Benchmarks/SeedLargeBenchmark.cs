using System.Diagnostics;
using Npgsql;
using TicketToken.Benchmarks.Harness;
using TicketToken.Data.Seeding;
using TicketToken.Portal.Cli;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// The large seed end to end, as <c>db seed --scale large</c> runs it: a scratch database is created next to the one
/// in <c>ConnectionStrings:TicketTokenSeed</c> (a superuser, so the seed takes its bulk path), migrated, seeded and
/// dropped. Prints the wall time, rows per second and its ratio to the 100k rows/s target, the seeder's own CPU, and the
/// slowest parts. The figure the issue's target is measured by; <c>seed.floor</c> says what the server's share cannot go
/// below.
/// </summary>
public sealed class SeedLargeBenchmark : IBenchmark
{
    private const string ScratchDatabase = "tickettoken_bench_seed_large";
    private const double TargetRowsPerSecond = 100_000;

    public string Name => "seed.large";

    public string Description => "db seed --scale large into a scratch database (created, migrated, seeded, dropped): rows/s against the 100k target";

    public bool NeedsDatabase => false;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Configuration.GetSection("ConnectionStrings")["TicketTokenSeed"] is not { Length: > 0 } superuser)
        {
            BenchmarkContext.Log("seed.large needs ConnectionStrings__TicketTokenSeed: a superuser of the cluster to create the scratch database in (as ./tt sets up).");
            return [];
        }

        var scratch = new NpgsqlConnectionStringBuilder(superuser) { Database = ScratchDatabase, Pooling = false }.ConnectionString;
        await DropAndCreateAsync(superuser, create: true, cancellationToken);
        try
        {
            BenchmarkContext.Log($"migrating {ScratchDatabase}");
            await DatabaseMigrator.MigrateAsync(scratch, existingPlatform: false, appRole: null, cancellationToken: cancellationToken);

            // The migration ran in this process; `db seed` runs in a process of its own. Let the runtime finish
            // re-compiling what the migration made hot (EF Core's model building: hundreds of methods) before the
            // clock starts, so that work is not counted as the seed's.
            await WaitForJitToSettleAsync(cancellationToken);

            BenchmarkContext.Log("seeding --scale large (a few minutes)");
            await using var dataSource = NpgsqlDataSource.Create(scratch);
            var sharedBuffersMb = await SharedBuffersMbAsync(dataSource, cancellationToken);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var pauseBefore = GC.GetTotalPauseDuration();
            var collectionsBefore = GC.CollectionCount(0);
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            var jitMethodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            var machineBefore = MachineBusySeconds();
            var clock = Stopwatch.StartNew();
            var report = await new PlatformSeeder(dataSource).SeedAsync(new SeedOptions(SeedScale.Large), null, cancellationToken);
            clock.Stop();
            var machine = MachineBusySeconds() - machineBefore;
            var hugePagesMb = HugePagesInUseMb();
            process.Refresh();
            var clientCpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            var gcPause = (GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds;
            var collections = GC.CollectionCount(0) - collectionsBefore;
            var jit = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds;
            var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethodsBefore;

            var seconds = clock.Elapsed.TotalSeconds;
            var rate = report.RowsWritten / seconds;
            foreach (var phase in report.SlowestPhases(24))
            {
                BenchmarkContext.Log(phase.Line);
            }

            return
            [
                new Figure($"{Name}.rows", report.RowsWritten, "count", $"rows written, bulk mode {(report.BulkModeUsed ? "on" : "off")}"),
                new Figure($"{Name}.s", Math.Round(seconds, 1), "s", "wall time of the seed (foreign keys validated)"),
                new Figure($"{Name}.streams", report.Streams, "count", "connections loading the bulk tables at once (1: the whole seed in one transaction)"),
                new Figure($"{Name}.rows_per_s", Math.Round(rate), "rows/s", "rows written per second of wall time"),
                new Figure($"{Name}.target.ratio", Math.Round(rate / TargetRowsPerSecond, 2), "x", "against the 100k rows/s target (1 or more meets it)"),
                new Figure($"{Name}.client_cpu.s", Math.Round(clientCpu, 1), "s", "CPU of this process (generating and sending the rows)"),
                new Figure($"{Name}.client.us_per_row", Math.Round(clientCpu * 1e6 / report.RowsWritten, 2), "us", "client CPU per row"),
                new Figure($"{Name}.client.bytes_per_row", Math.Round((double)allocated / report.RowsWritten), "B", "managed memory the client allocated per row"),
                new Figure($"{Name}.client.jit.s", Math.Round(jit, 2), "s", $"time the client spent compiling code ({jitMethods} methods, tiers included)"),
                new Figure($"{Name}.client.gc_pause.s", Math.Round(gcPause, 2), "s", $"time the client was paused by the garbage collector ({collections} collections)"),
                new Figure($"{Name}.server.shared_buffers_mb", sharedBuffersMb, "MB", "the server's shared_buffers (./tt sizes the local cluster's: ADR 0003, \"Shared buffers in huge pages\")"),
                .. hugePagesMb is { } huge
                    ? (Figure[])[new Figure($"{Name}.machine.huge_pages_mb", huge, "MB", "huge pages in use on this machine after the seed (PostgreSQL's shared buffers, when the kernel gave it them)")]
                    : [],
                .. machine is { } busy
                    ? (Figure[])
                    [
                        new Figure($"{Name}.machine_cpu.s", Math.Round(busy, 1), "s", $"CPU seconds the whole machine was busy during the seed ({Environment.ProcessorCount} cores: at most {Math.Round(seconds * Environment.ProcessorCount)} s)"),
                        new Figure($"{Name}.server_cpu.s", Math.Round(busy - clientCpu, 1), "s", "the machine's busy CPU less this process's: the server's work (and anything else running)"),
                        new Figure($"{Name}.machine.busy.ratio", Math.Round(busy / (seconds * Environment.ProcessorCount), 2), "x", "busy CPU over what the cores could give in the wall time (1: never idle)"),
                    ]
                    : [],
            ];
        }
        finally
        {
            await DropAndCreateAsync(superuser, create: false, CancellationToken.None);
        }
    }

    /// <summary>
    /// Seconds of CPU the whole machine has been busy since boot, summed over its cores (Linux: <c>/proc/stat</c>, in
    /// clock ticks of 1/100 s); null where that file is not there. Compared with the wall time, it tells whether a change
    /// saved work or only moved it, which the wall time of a noisy machine hides.
    /// </summary>
    private static double? MachineBusySeconds()
    {
        const string stat = "/proc/stat";
        if (!File.Exists(stat))
        {
            return null;
        }

        // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
        var fields = File.ReadLines(stat).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = fields.Skip(1).Take(8).Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]) / 100.0;
    }

    private static async Task<long> SharedBuffersMbAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT setting::bigint * pg_size_bytes(unit) / 1048576 FROM pg_settings WHERE name = 'shared_buffers'");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Huge pages in use on the machine, in MB (Linux: <c>/proc/meminfo</c>); null where that file is not there.</summary>
    private static long? HugePagesInUseMb()
    {
        const string meminfo = "/proc/meminfo";
        if (!File.Exists(meminfo))
        {
            return null;
        }

        var fields = File.ReadLines(meminfo)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.Ordinal);
        long Number(string key) => fields.TryGetValue(key, out var v) ? long.Parse(v.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (Number("HugePages_Total") - Number("HugePages_Free")) * Number("Hugepagesize") / 1024;
    }

    /// <summary>Waits (at most 15 s) until no method has been compiled for a second.</summary>
    private static async Task WaitForJitToSettleAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == count)
            {
                return;
            }

            count = now;
        }
    }

    private static async Task DropAndCreateAsync(string superuser, bool create, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(superuser) { Database = "postgres", Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {ScratchDatabase} WITH (FORCE)", conn))
        {
            await drop.ExecuteNonQueryAsync(ct);
        }

        if (create)
        {
            // The configured database's locale: its collation decides how fast text indexes build.
            string collate, ctype;
            await using (var locale = new NpgsqlCommand("SELECT datcollate, datctype FROM pg_database WHERE datname = @db", conn))
            {
                locale.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(superuser).Database ?? "postgres");
                await using var r = await locale.ExecuteReaderAsync(ct);
                if (!await r.ReadAsync(ct))
                {
                    throw new InvalidOperationException("The configured database does not exist.");
                }

                (collate, ctype) = (r.GetString(0), r.GetString(1));
            }

            await using var createCmd = new NpgsqlCommand(
                $"CREATE DATABASE {ScratchDatabase} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '{collate.Replace("'", "''", StringComparison.Ordinal)}' LC_CTYPE '{ctype.Replace("'", "''", StringComparison.Ordinal)}'",
                conn);
            await createCmd.ExecuteNonQueryAsync(ct);
        }
    }
}
