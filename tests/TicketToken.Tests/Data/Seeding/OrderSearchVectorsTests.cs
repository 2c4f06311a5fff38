using System.Globalization;
using Npgsql;
using TicketToken.Data.Seeding;
using TicketToken.Data.Seeding.TextSearch;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>
/// Orders' search vectors computed in the seeder (<see cref="OrderSearchVectors"/>, <see cref="TsVectorBuilder"/>)
/// against PostgreSQL's own <c>setweight(to_tsvector('english', …))</c> expression, on a fresh install (this project's
/// trigger; the platform's is covered by the bulk-mode seeding test on schema.sql). The vectors travel in their binary
/// send form through the seeder's COPY encoder, and their text form is compared too.
/// </summary>
public sealed class OrderSearchVectorsTests() : TemplateDatabaseTest("tt_tsv")
{
    private static readonly string[] Statuses =
    [
        "PENDING", "RESERVED", "CONFIRMED", "COMPLETED", "CANCELLED", "EXPIRED", "REFUNDED", "partially_refunded", "the", "", "a-b", "4a9a",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Vectors_equal_the_servers_for_random_and_awkward_orders()
    {
        const int seed = 20261206;
        var rng = new Random(seed);
        var samples = new List<(Guid Id, string Number, string Status)>();
        foreach (var id in AwkwardIds())
        {
            samples.Add((Guid.Parse(id), "TT042-00000001", "CONFIRMED"));
        }

        for (var i = 0; i < 60_000; i++)
        {
            var bytes = new byte[16];
            rng.NextBytes(bytes);
            if (i % 2 == 0)
            {
                bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4, as the seeder's ids
                bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            }

            var number = (i % 5) switch
            {
                0 => $"TT{rng.Next(1000):000}-{rng.Next(100_000_000):00000000}",
                1 => $"TT{rng.Next(10)}-{rng.Next(100)}",
                2 => $"ORD-{rng.Next(1_000_000)}",
                3 => "TT-" + new Guid(bytes).ToString("N")[..8],
                _ => string.Empty,
            };
            samples.Add((new Guid(bytes, bigEndian: true), number, Statuses[rng.Next(Statuses.Length)]));
        }

        await using var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(Database));
        await using var conn = await ds.OpenConnectionAsync(Ct);
        var (vectors, reason) = await OrderSearchVectors.TryCreateAsync(conn, ds, Ct);
        Assert.True(vectors is not null, reason);
        using var owned = vectors;

        await Exec(conn, "CREATE TEMP TABLE v (i int4, id uuid, num text, st text, vec tsvector, txt text)");
        var encoder = new BinaryCopyEncoder("v",
        [
            new("i", BinaryCopyEncoder.Kind.Int4, null), new("id", BinaryCopyEncoder.Kind.Uuid, null), new("num", BinaryCopyEncoder.Kind.Text, null),
            new("st", BinaryCopyEncoder.Kind.Text, null), new("vec", BinaryCopyEncoder.Kind.TsVector, null), new("txt", BinaryCopyEncoder.Kind.Text, null),
        ]);
        for (var i = 0; i < samples.Count; i++)
        {
            var (id, number, status) = samples[i];
            var vector = vectors.Compute(id, number, status);
            encoder.WriteRow([i, id, number, status, vector, vector.ToString()]);
        }

        encoder.WriteTrailer();
        await using (var copy = await conn.BeginRawBinaryCopyAsync("COPY v (i, id, num, st, vec, txt) FROM STDIN (FORMAT BINARY)", Ct))
        {
            await copy.WriteAsync(encoder.Pending, Ct);
        }

        const string expected = "setweight(to_tsvector('english', coalesce(id::text, '')), 'A') || setweight(to_tsvector('english', coalesce(num, '')), 'A') || setweight(to_tsvector('english', coalesce(st, '')), 'C')";
        await using var cmd = new NpgsqlCommand(
            $"SELECT i, id::text, num, st, vec::text, ({expected})::text, txt FROM v WHERE vec IS DISTINCT FROM ({expected}) OR txt <> vec::text ORDER BY i LIMIT 5", conn);
        var wrong = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                wrong.Add($"#{reader.GetInt32(0)} {reader.GetString(1)} / '{reader.GetString(2)}' / '{reader.GetString(3)}': wrote [{reader.GetString(4)}] (text form [{reader.GetString(6)}]), server [{reader.GetString(5)}]");
            }
        }

        Assert.True(wrong.Count == 0, $"seed {seed}: " + string.Join(Environment.NewLine, wrong));
        Assert.Equal(samples.Count, await Scalar<long>(conn, "SELECT count(*) FROM v WHERE vec <> ''::tsvector"));

        // The eight-letter first group is not among the warmed-up words: it was looked up while writing.
        Assert.True(vectors.ServerLookups > 6 + 36 + 216 + 1296, $"{vectors.ServerLookups} lookups");
    }

    [Fact]
    public async Task Only_the_recognised_trigger_alone_is_reproduced()
    {
        await using var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(Database));
        await using var conn = await ds.OpenConnectionAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);

        var (fresh, reason) = await OrderSearchVectors.TryCreateAsync(conn, ds, Ct);
        Assert.True(fresh is not null, reason);
        fresh.Dispose();

        // Another weight: not the recognised expression.
        await Exec(conn, "SAVEPOINT s");
        await Exec(conn, """
            CREATE OR REPLACE FUNCTION public.orders_search_vector_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.search_vector := setweight(to_tsvector('english', coalesce(NEW.id::text, '')), 'B'); RETURN NEW; END $$
            """);
        var (changed, why) = await OrderSearchVectors.TryCreateAsync(conn, ds, Ct);
        Assert.Null(changed);
        Assert.Contains("not the recognised", why, StringComparison.Ordinal);
        await Exec(conn, "ROLLBACK TO SAVEPOINT s");

        // A second INSERT trigger would be switched off with it.
        await Exec(conn, "CREATE FUNCTION public.tt_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$");
        await Exec(conn, "CREATE TRIGGER audit_orders AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.tt_noop()");
        var (second, whyNot) = await OrderSearchVectors.TryCreateAsync(conn, ds, Ct);
        Assert.Null(second);
        Assert.Contains("2 triggers on INSERT", whyNot, StringComparison.Ordinal);
        await Exec(conn, "ROLLBACK TO SAVEPOINT s");

        // Disabled: the trigger computes nothing, so neither may the seeder.
        await Exec(conn, "ALTER TABLE public.orders DISABLE TRIGGER orders_search_vector_update");
        var (disabled, _) = await OrderSearchVectors.TryCreateAsync(conn, ds, Ct);
        Assert.Null(disabled);
        await tx.RollbackAsync(Ct);
    }

    [Fact]
    public async Task The_check_counts_orders_whose_vector_differs_from_the_servers()
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(Database));
        await conn.OpenAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);
        for (var i = 0; i < 3; i++)
        {
            await Exec(conn, $"""
                INSERT INTO public.orders (tenant_id, user_id, event_id, order_number, subtotal_cents, total_cents, status)
                VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'TT001-{i.ToString("00000000", CultureInfo.InvariantCulture)}', 100, 100, 'CONFIRMED')
                """);
        }

        Assert.Equal(0, await OrderSearchVectors.CountMismatchesAsync(conn, 100, Ct));
        await Exec(conn, "SET LOCAL session_replication_role = replica; UPDATE public.orders SET search_vector = to_tsvector('simple', 'x') WHERE order_number = 'TT001-00000001'");
        Assert.Equal(1, await OrderSearchVectors.CountMismatchesAsync(conn, 100, Ct));

        // The large seed's form: a sample of the pages (here one page, which the sample may or may not take).
        Assert.InRange(await OrderSearchVectors.CountMismatchesAsync(conn, 1, Ct), 0, 1);
        await tx.RollbackAsync(Ct);
    }

    [Fact]
    public void The_recognised_body_ignores_layout_and_case_only()
    {
        Assert.Equal(OrderSearchVectors.RecognisedBody, OrderSearchVectors.Normalise("""
            BEGIN
              NEW.search_vector :=
                setweight(to_tsvector('english', COALESCE(NEW.id::text, '')), 'A') ||
                setweight(to_tsvector('english', COALESCE(NEW.order_number, '')), 'A') ||
                setweight(to_tsvector('english', COALESCE(NEW.status, '')), 'C');
              RETURN NEW;
            END
            """));
        Assert.NotEqual(OrderSearchVectors.RecognisedBody, OrderSearchVectors.Normalise("BEGIN NEW.search_vector := to_tsvector('simple', NEW.id::text); RETURN NEW; END"));
    }

    /// <summary>Ids whose text the default parser splits unevenly: letter-only groups (stemmed), digit-only groups, scientific notation, repeats.</summary>
    private static IEnumerable<string> AwkwardIds() =>
    [
        "deadbeef-face-4f70-abcd-0c1d2e3f4a5b",
        "abcdefab-cdef-4abc-adef-abcdefabcdef",
        "ed7bb195-d2bd-4866-9170-15e87888d973",
        "12345678-1234-4123-8123-123456789012",
        "1e345678-9e12-4e12-8e12-1e3456789e12",
        "00000000-0000-4000-8000-000000000000",
        "deadbeef-4a9a-4a9a-4a9a-4a9a4a9a4a9a",
        "a0000000-000a-400a-a00a-a0000000000a",
        "bead0000-cede-4ade-bead-0000000faced",
        "15e87888-e123-4e45-ae67-e89abcdef012",
        "fffffffe-ffff-4fff-bfff-ffffffffffff",
        "9f010188-104b-4a9a-9c2d-5f82c1ab7a33",
    ];

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }
}
