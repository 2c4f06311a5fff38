using System.Diagnostics;
using System.Globalization;
using Npgsql;
using TicketToken.Benchmarks.Harness;
using TicketToken.Data.Seeding;
using TicketToken.Data.Seeding.TextSearch;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// What orders' search vectors cost where they are computed: in the seeder (<see cref="OrderSearchVectors"/>, the
/// large seed's bulk path) against the server's own <c>setweight(to_tsvector('english', …))</c> expression, which the
/// BEFORE INSERT trigger evaluates for each row. The same 200,000 orders (random version 4 ids, the seed's order-number
/// format, its statuses) both ways: the client's time and allocations per order; the server's time per order for the
/// expression, less the same query without it, on one backend (so its wall time is its CPU time). The figures say how
/// much CPU the large seed moves off the server per million orders and what it costs the client instead.
/// </summary>
public sealed class SeedSearchVectorBenchmark : IBenchmark
{
    private const int Orders = 200_000;
    private const int Passes = 5;

    private static readonly string[] Statuses = ["PENDING", "RESERVED", "CONFIRMED", "COMPLETED", "CANCELLED", "EXPIRED", "REFUNDED"];

    public string Name => "seed.search_vector";

    public string Description => "orders' search vectors computed by the seeder vs. by the server's to_tsvector (per order, 200k orders)";

    public bool NeedsDatabase => true;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cs = context.SeedOrMainConnectionString;
        await using var ds = NpgsqlDataSource.Create(cs);
        await using var conn = await ds.OpenConnectionAsync(cancellationToken);
        var (vectors, reason) = await OrderSearchVectors.TryCreateAsync(conn, ds, cancellationToken);
        if (vectors is null)
        {
            throw new InvalidOperationException($"The seeder would not compute search vectors on this database: {reason}.");
        }

        using var owned = vectors;
        var rng = new Random(7);
        var ids = new Guid[Orders];
        var numbers = new string[Orders];
        var statuses = new string[Orders];
        var bytes = new byte[16];
        for (var i = 0; i < Orders; i++)
        {
            rng.NextBytes(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            ids[i] = new Guid(bytes, bigEndian: true);
            numbers[i] = "TT042-" + (i + 1).ToString("00000000", CultureInfo.InvariantCulture);
            statuses[i] = Statuses[i % Statuses.Length];
        }

        // Client: every order's vector, as the seeder builds it (warm-up pass first).
        long sink = 0;
        for (var i = 0; i < Orders; i++)
        {
            sink += vectors.Compute(ids[i], numbers[i], statuses[i]).SendForm.Length;
        }

        var client = new List<double>();
        long allocated = 0;
        for (var pass = 0; pass < Passes; pass++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Orders; i++)
            {
                sink += vectors.Compute(ids[i], numbers[i], statuses[i]).SendForm.Length;
            }

            client.Add(clock.Elapsed.TotalMicroseconds / Orders);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // Server: the trigger's expression over the same values, less the same scan without it.
        const string expression = "setweight(to_tsvector('english', coalesce(id::text, '')), 'A') || setweight(to_tsvector('english', coalesce(num, '')), 'A') || setweight(to_tsvector('english', coalesce(st, '')), 'C')";
        await Exec(conn, "SET max_parallel_workers_per_gather = 0; SET jit = off", cancellationToken);
        await Exec(conn, "CREATE TEMP TABLE bench_orders (id uuid, num text, st text)", cancellationToken);
        await using (var insert = new NpgsqlCommand("INSERT INTO bench_orders SELECT * FROM unnest(@ids, @nums, @sts)", conn))
        {
            insert.Parameters.AddWithValue("ids", ids);
            insert.Parameters.AddWithValue("nums", numbers);
            insert.Parameters.AddWithValue("sts", statuses);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var server = new List<double>();
        for (var pass = 0; pass < Passes; pass++)
        {
            var with = await TimeAsync(conn, $"SELECT sum(length({expression})) FROM bench_orders", cancellationToken);
            var without = await TimeAsync(conn, "SELECT sum(length(num) + length(st)) FROM bench_orders", cancellationToken);
            server.Add((with - without).TotalMicroseconds / Orders);
        }

        // The load itself: the same orders inserted into an empty copy of orders with the trigger, and into one without
        // it that takes the seeder's vectors (sent in binary into a work table first), as bulk mode writes them.
        await Exec(conn, "ALTER TABLE bench_orders ADD COLUMN vec tsvector", cancellationToken);
        await Exec(conn, "CREATE TEMP TABLE bench_vectors (i int4, vec tsvector)", cancellationToken);
        var encoder = new BinaryCopyEncoder("bench_vectors", [new("i", BinaryCopyEncoder.Kind.Int4, null), new("vec", BinaryCopyEncoder.Kind.TsVector, null)]);
        for (var i = 0; i < Orders; i++)
        {
            encoder.WriteRow([i, vectors.Compute(ids[i], numbers[i], statuses[i])]);
        }

        encoder.WriteTrailer();
        await using (var copy = await conn.BeginRawBinaryCopyAsync("COPY bench_vectors (i, vec) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            await copy.WriteAsync(encoder.Pending, cancellationToken);
        }

        await Exec(conn, "CREATE TEMP TABLE bench_source AS SELECT o.id, o.num, o.st, v.vec FROM (SELECT *, row_number() OVER () - 1 AS i FROM bench_orders) o JOIN bench_vectors v USING (i)", cancellationToken);
        const string columns = "id, tenant_id, user_id, event_id, order_number, status, subtotal_cents, total_cents";
        const string values = "id, id, id, id, num, st, 100, 100";
        var load = new List<double>();
        for (var pass = 0; pass < Passes; pass++)
        {
            await Exec(conn, "DROP TABLE IF EXISTS bench_with; DROP TABLE IF EXISTS bench_without; CREATE TEMP TABLE bench_with (LIKE public.orders INCLUDING DEFAULTS); CREATE TEMP TABLE bench_without (LIKE public.orders INCLUDING DEFAULTS)", cancellationToken);
            await Exec(conn, "CREATE TRIGGER bench_search_vector BEFORE INSERT ON bench_with FOR EACH ROW EXECUTE FUNCTION public.orders_search_vector_trigger()", cancellationToken);
            var with = await TimeAsync(conn, $"INSERT INTO bench_with ({columns}) SELECT {values} FROM bench_source", cancellationToken);
            var without = await TimeAsync(conn, $"INSERT INTO bench_without ({columns}, search_vector) SELECT {values}, vec FROM bench_source", cancellationToken);
            load.Add((with - without).TotalMicroseconds / Orders);
        }

        var differ = await ScalarAsync(conn, "SELECT count(*) FROM bench_with w FULL JOIN bench_without o USING (id) WHERE w.search_vector IS DISTINCT FROM o.search_vector", cancellationToken);
        await Exec(conn, "DROP TABLE bench_orders, bench_vectors, bench_source, bench_with, bench_without", cancellationToken);
        GC.KeepAlive(sink);
        var loadUs = Median(load);

        var clientUs = Median(client);
        var serverUs = Median(server);
        return
        [
            new Figure("seed.search_vector.client.us", Math.Round(clientUs, 2), "us", $"seeder: one order's vector (median of {Passes} passes over {Orders:N0})"),
            new Figure("seed.search_vector.client.bytes", allocated / Orders, "B", "seeder: allocated per order (the send form included)"),
            new Figure("seed.search_vector.server.us", Math.Round(serverUs, 2), "us", "server: the trigger's expression per order, one backend"),
            new Figure("seed.search_vector.ratio", Math.Round(serverUs / clientUs, 2), "x", "server expression time / seeder time per order"),
            new Figure("seed.search_vector.trigger.us", Math.Round(loadUs, 2), "us", "server: inserting an order with the trigger, less without it (the seeder's vector supplied)"),
            new Figure("seed.search_vector.saved_per_million.s", Math.Round(loadUs - clientUs, 1), "s", "CPU seconds a million orders save: the trigger's cost less the seeder's"),
            new Figure("seed.search_vector.differing", differ, "count", "orders whose vector differs between the two loads (0 expected)"),
        ];
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static async Task<TimeSpan> TimeAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteScalarAsync(ct);
        return clock.Elapsed;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
