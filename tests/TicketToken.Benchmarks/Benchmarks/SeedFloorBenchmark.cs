using System.Diagnostics;
using Npgsql;
using TicketToken.Benchmarks.Harness;
using TicketToken.Data.Seeding;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// The least server work the large seed's rows can cost on this machine, whatever loads them: each large table's rows
/// copied into a new table (heap only, no WAL, its BEFORE INSERT row triggers kept: the orders search vector), then each of
/// its indexes built from its own definition, one after another with no parallel workers, so that time is CPU time. A GIN
/// index counts at the cheaper of built afterwards and maintained while inserting. Everything runs in transactions that
/// are rolled back. From it: server CPU per row, and the rows per second two cores could reach if the client cost
/// nothing and both cores were busy all the time (the ceiling the 100k rows/s target is measured against).
/// Needs the rows of every tenant: <c>ConnectionStrings:TicketTokenSeed</c> (the private cluster's superuser) when set,
/// else <c>ConnectionStrings:TicketToken</c>, after <c>db seed --scale large</c>.
/// </summary>
public sealed class SeedFloorBenchmark : IBenchmark
{
    private const long MinimumRows = 10_000;

    public string Name => "seed.floor";

    public string Description => "least server CPU per row of the large seed's big tables (heap + every index, single-threaded, rolled back)";

    public bool NeedsDatabase => true;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cs = context.Configuration.GetSection("ConnectionStrings")["TicketTokenSeed"] is { Length: > 0 } seed ? seed : context.ConnectionString;
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(cancellationToken);
        var figures = new List<Figure>();
        double totalSeconds = 0;
        long totalRows = 0;
        var measured = new List<TableFloor>();
        foreach (var table in PlatformSeeder.BulkTables)
        {
            var rows = await ScalarAsync<long>(conn, $"SELECT count(*) FROM public.{Quote(table)}", cancellationToken);
            if (rows < MinimumRows)
            {
                continue;
            }

            BenchmarkContext.Log($"{table}: {rows:N0} rows");
            var (heap, indexes, count, ginFirst) = await MeasureTableAsync(conn, table, cancellationToken);
            measured.Add(new TableFloor(table, heap + indexes, ginFirst));
            totalSeconds += heap + indexes;
            totalRows += rows;
            figures.Add(new Figure($"{Name}.{table}.s", Math.Round(heap + indexes, 1), "s",
                $"{rows:N0} rows: heap {heap:F1} s + {count} indexes {indexes:F1} s ({(heap + indexes) * 1e6 / rows:F1} µs/row)"));
        }

        if (totalRows == 0)
        {
            BenchmarkContext.Log($"No table has {MinimumRows:N0} rows visible to this connection: seed --scale large, and use a superuser (TicketTokenSeed).");
            return figures;
        }

        var microsPerRow = totalSeconds * 1e6 / totalRows;
        figures.Add(new Figure($"{Name}.server.s", Math.Round(totalSeconds, 1), "s", $"all of the above: {totalRows:N0} rows"));
        figures.Add(new Figure($"{Name}.us_per_row", Math.Round(microsPerRow, 2), "us", "server CPU per row, at least"));
        figures.Add(new Figure($"{Name}.ceiling.2cores", Math.Round(2e6 / microsPerRow), "rows/s",
            "rows per second on 2 cores if the client cost nothing and both cores never idled"));
        figures.Add(new Figure($"{Name}.ceiling.cores", Environment.ProcessorCount, "count", "cores of this machine"));

        // The same work as two concurrent streams (each its own connection and transactions), the tables split so both
        // carry about the same seconds: what a loader with two connections could get from this machine's two cores.
        var streams = SplitInTwo(measured);
        BenchmarkContext.Log($"two streams at once: [{string.Join(", ", streams[0].Select(t => t.Table))}] and [{string.Join(", ", streams[1].Select(t => t.Table))}]");
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(streams.Select((tables, i) => Task.Run(() => RunStreamAsync(cs, tables, $"tt_seed_floor_s{i}", cancellationToken), cancellationToken)));
        var wall = clock.Elapsed.TotalSeconds;
        figures.Add(new Figure($"{Name}.streams2.s", Math.Round(wall, 1), "s",
            $"the same server work as two concurrent streams ({streams[0].Sum(t => t.Seconds):F1} s and {streams[1].Sum(t => t.Seconds):F1} s alone), wall time"));
        figures.Add(new Figure($"{Name}.streams2.speedup", Math.Round(totalSeconds / wall, 2), "x", "one stream's time / two streams' wall time"));
        figures.Add(new Figure($"{Name}.streams2.rows_per_s", Math.Round(totalRows / wall), "rows/s", "rows per second of the two streams, the client not counted"));
        return figures;
    }

    private sealed record TableFloor(string Table, double Seconds, IReadOnlySet<string> GinFirst);

    /// <summary>Longest first, each table to the lighter of the two streams.</summary>
    private static List<TableFloor>[] SplitInTwo(List<TableFloor> tables)
    {
        var streams = new[] { new List<TableFloor>(), new List<TableFloor>() };
        foreach (var table in tables.OrderByDescending(t => t.Seconds))
        {
            streams.MinBy(s => s.Sum(t => t.Seconds))!.Add(table);
        }

        return streams;
    }

    /// <summary>One stream: each table's rows into a new table and its indexes, as measured alone (GIN indexes that were cheaper maintained are created first), rolled back.</summary>
    private static async Task RunStreamAsync(string connectionString, List<TableFloor> tables, string copy, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        foreach (var table in tables)
        {
            var (indexes, triggers) = await DescribeAsync(conn, table.Table, ct);
            await LoadCopyAsync(conn, table.Table, copy, triggers, indexes, table.GinFirst, ct);
        }
    }

    /// <summary>
    /// Heap seconds (with the table's BEFORE INSERT row triggers), index seconds and index count of one table, and the GIN
    /// indexes that cost less maintained while inserting than built afterwards.
    /// </summary>
    private static async Task<(double Heap, double Indexes, int Count, IReadOnlySet<string> GinFirst)> MeasureTableAsync(NpgsqlConnection conn, string table, CancellationToken ct)
    {
        var (indexes, triggers) = await DescribeAsync(conn, table, ct);
        const string copy = "tt_seed_floor";
        var (heap, seconds) = await LoadCopyAsync(conn, table, copy, triggers, indexes, new HashSet<string>(), ct);
        var built = seconds.Values.Sum();
        var ginFirst = new HashSet<string>(StringComparer.Ordinal);

        // A GIN index may be cheaper maintained row by row than built afterwards (the seeder keeps orders' that way).
        foreach (var gin in indexes.Where(i => i.Gin))
        {
            var maintained = (await LoadCopyAsync(conn, table, copy, triggers, [gin], new HashSet<string> { gin.Name }, ct)).Insert - heap;
            var ginBuilt = seconds[gin.Name];
            BenchmarkContext.Log($"  GIN {gin.Name}: built {ginBuilt:F1} s, maintained {maintained:F1} s");
            built -= ginBuilt - Math.Min(ginBuilt, Math.Max(0, maintained));
            if (maintained < ginBuilt)
            {
                ginFirst.Add(gin.Name);
            }
        }

        return (heap, built, indexes.Count, ginFirst);
    }

    /// <summary>
    /// In a transaction that is rolled back: the table's rows into a new table with its triggers, and the given indexes
    /// built on it, those in <paramref name="before"/> ahead of the rows (so maintained while inserting). Returns the
    /// insert's seconds and each index's build seconds.
    /// </summary>
    private static async Task<(double Insert, Dictionary<string, double> Indexes)> LoadCopyAsync(
        NpgsqlConnection conn, string table, string copy, List<string> triggers, List<(string Name, string Definition, bool Gin)> indexes, IReadOnlySet<string> before, CancellationToken ct)
    {
        var insert = 0.0;
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        await InTransactionAsync(conn, async () =>
        {
            await PrepareCopyAsync(conn, table, copy, triggers, ct);
            foreach (var (name, definition, _) in indexes.Where(i => before.Contains(i.Name)))
            {
                seconds[name] = await TimeAsync(conn, OnCopy(definition, table, name, copy), ct);
            }

            insert = await TimeAsync(conn, $"INSERT INTO public.{copy} SELECT * FROM public.{Quote(table)}", ct);
            foreach (var (name, definition, _) in indexes.Where(i => !before.Contains(i.Name)))
            {
                seconds[name] = await TimeAsync(conn, OnCopy(definition, table, name, copy), ct);
            }
        }, ct);
        return (insert, seconds);
    }

    /// <summary>A table's indexes (name, definition, whether GIN) and the functions of its BEFORE INSERT row triggers.</summary>
    private static async Task<(List<(string Name, string Definition, bool Gin)> Indexes, List<string> Triggers)> DescribeAsync(NpgsqlConnection conn, string table, CancellationToken ct)
    {
        var indexes = new List<(string Name, string Definition, bool Gin)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid), am.amname = 'gin'
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
            WHERE i.indrelid = to_regclass('public.' || quote_ident(@t))
            ORDER BY ic.relname
            """, conn))
        {
            cmd.Parameters.AddWithValue("t", table);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                indexes.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
            }
        }

        var triggers = new List<string>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT p.oid::regprocedure::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = to_regclass('public.' || quote_ident(@t)) AND NOT t.tgisinternal AND t.tgenabled <> 'D'
              AND (t.tgtype & 1) = 1 AND (t.tgtype & 2) = 2 AND (t.tgtype & 4) = 4
            """, conn))
        {
            cmd.Parameters.AddWithValue("t", table);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                triggers.Add(reader.GetString(0));
            }
        }

        return (indexes, triggers);
    }

    private static async Task PrepareCopyAsync(NpgsqlConnection conn, string table, string copy, List<string> triggers, CancellationToken ct)
    {
        await ExecuteAsync(conn, "SET LOCAL max_parallel_maintenance_workers = 0; SET LOCAL maintenance_work_mem = '1GB'", ct);
        await ExecuteAsync(conn, $"CREATE TABLE public.{copy} AS SELECT * FROM public.{Quote(table)} WITH NO DATA", ct);
        var i = 0;
        foreach (var function in triggers)
        {
            await ExecuteAsync(conn, $"CREATE TRIGGER {copy}_{i++} BEFORE INSERT ON public.{copy} FOR EACH ROW EXECUTE FUNCTION {function[..function.IndexOf('(', StringComparison.Ordinal)]}()", ct);
        }
    }

    /// <summary>The index's own definition, made to build the same index on the copy.</summary>
    private static string OnCopy(string definition, string table, string name, string copy) =>
        definition
            .Replace($" INDEX {name} ON ", $" INDEX {copy}_{name} ON ", StringComparison.Ordinal)
            .Replace($" INDEX {Quote(name)} ON ", $" INDEX {copy}_{name} ON ", StringComparison.Ordinal)
            .Replace($" ON public.{table} ", $" ON public.{copy} ", StringComparison.Ordinal)
            .Replace($" ON public.{Quote(table)} ", $" ON public.{copy} ", StringComparison.Ordinal);

    private static async Task InTransactionAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            await work();
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
        }
    }

    private static async Task<double> TimeAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(conn, sql, ct);
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
