using System.Net;
using Npgsql;
using NpgsqlTypes;
using TicketToken.Data.Seeding;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>
/// The seeder's own binary COPY encoding (<see cref="BinaryCopyEncoder"/>) against Npgsql's: the same values, one
/// table loaded through <see cref="CopyTableWriter"/> and its twin through parameters Npgsql encodes, must read back
/// identically from PostgreSQL, edge values included (numeric scales and magnitudes, times before 2000, non-ASCII
/// text, a field larger than the send buffer, arrays with NULLs, IPv6).
/// </summary>
public sealed class BinaryCopyEncoderTests : IAsyncLifetime
{
    private const string Columns = """
        k int4 PRIMARY KEY, u uuid, t text, v varchar(40), c char(3), j jsonb, js json, i2 int2, i4 int4, i8 int8,
        n numeric, n2 numeric(14,2), b bool, ts timestamptz, d date, tm time, ip inet, f4 float4, f8 float8,
        ta text[], ua uuid[], va varchar[], ia int4[], e mood
        """;

    private static readonly (string Name, NpgsqlDbType Type)[] Layout =
    [
        ("k", NpgsqlDbType.Integer), ("u", NpgsqlDbType.Uuid), ("t", NpgsqlDbType.Text), ("v", NpgsqlDbType.Varchar), ("c", NpgsqlDbType.Char),
        ("j", NpgsqlDbType.Jsonb), ("js", NpgsqlDbType.Json), ("i2", NpgsqlDbType.Smallint), ("i4", NpgsqlDbType.Integer), ("i8", NpgsqlDbType.Bigint),
        ("n", NpgsqlDbType.Numeric), ("n2", NpgsqlDbType.Numeric), ("b", NpgsqlDbType.Boolean), ("ts", NpgsqlDbType.TimestampTz), ("d", NpgsqlDbType.Date),
        ("tm", NpgsqlDbType.Time), ("ip", NpgsqlDbType.Inet), ("f4", NpgsqlDbType.Real), ("f8", NpgsqlDbType.Double),
        ("ta", NpgsqlDbType.Array | NpgsqlDbType.Text), ("ua", NpgsqlDbType.Array | NpgsqlDbType.Uuid), ("va", NpgsqlDbType.Array | NpgsqlDbType.Varchar),
        ("ia", NpgsqlDbType.Array | NpgsqlDbType.Integer), ("e", NpgsqlDbType.Text),
    ];

    private readonly string _db = TestDatabase.UniqueName("tt_copy_enc");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{_db}\"");
        await TestDatabase.ExecuteAdminAsync($"CREATE TYPE mood AS ENUM ('calm', 'très content'); CREATE TABLE encoded ({Columns}); CREATE TABLE reference ({Columns});", _db);
    }

    public async ValueTask DisposeAsync() => await TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{_db}\" WITH (FORCE)");

    [Fact]
    public async Task Every_covered_type_reads_back_as_Npgsql_would_have_written_it()
    {
        var rows = Rows().ToList();
        await using var conn = await OpenAsync();
        var catalog = await DbCatalog.ReadAsync(conn, Ct);

        await using (var writer = await CopyTableWriter.OpenAsync(conn, catalog["encoded"], [.. Layout.Select(c => c.Name)], preferBinary: true, Ct))
        {
            Assert.True(writer.IsBinary);
            Assert.Equal(rows.Count, await writer.WriteAllAsync(rows, "encoded", rows.Count, 1, 1, null, Ct));
        }

        foreach (var row in rows)
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO reference VALUES ({string.Join(", ", Layout.Select((c, i) => c.Name == "e" ? $"${i + 1}::mood" : $"${i + 1}"))})", conn);
            for (var i = 0; i < Layout.Length; i++)
            {
                insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = Layout[i].Type, Value = row[i] ?? DBNull.Value });
            }

            await insert.ExecuteNonQueryAsync(Ct);
        }

        var encoded = await RowsAsTextAsync(conn, "encoded");
        var reference = await RowsAsTextAsync(conn, "reference");
        Assert.Equal(rows.Count, encoded.Count);
        Assert.Equal(reference, encoded);

        // Spot checks that the comparison above compares something.
        Assert.Contains(encoded, r => r.Contains("79228162514264337593543950335", StringComparison.Ordinal));
        Assert.Contains(encoded, r => r.Contains("1999-12-31 23:59:59.999999+00", StringComparison.Ordinal));
        Assert.Contains(encoded, r => r.Contains("2001:db8::1", StringComparison.Ordinal));
        Assert.Contains(encoded, r => r.Contains(",-infinity,", StringComparison.Ordinal));
        Assert.Contains(encoded, r => r.EndsWith(",\"très content\")", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_value_the_column_cannot_take_names_the_column_and_keeps_nothing()
    {
        await using var conn = await OpenAsync();
        var catalog = await DbCatalog.ReadAsync(conn, Ct);
        var local = Rows().First().ToArray();
        local[13] = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Local);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var writer = await CopyTableWriter.OpenAsync(conn, catalog["encoded"], [.. Layout.Select(c => c.Name)], preferBinary: true, Ct);
            await writer.WriteAllAsync(Rows().Take(2).Append(local), "encoded", 3, 1, 1, null, Ct);
        });

        Assert.Contains("encoded.ts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UTC", ex.Message, StringComparison.Ordinal);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM encoded", conn);
        Assert.Equal(0L, await count.ExecuteScalarAsync(Ct));
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(_db));
        await conn.OpenAsync(Ct);
        await using var tz = new NpgsqlCommand("SET TimeZone = 'UTC'", conn);
        await tz.ExecuteNonQueryAsync(Ct);
        return conn;
    }

    private static async Task<List<string>> RowsAsTextAsync(NpgsqlConnection conn, string table)
    {
        var result = new List<string>();
        await using var cmd = new NpgsqlCommand($"SELECT x::text FROM {table} x ORDER BY k", conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct))
        {
            result.Add(r.GetString(0));
        }

        return result;
    }

    private static IEnumerable<object?[]> Rows()
    {
        var g1 = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var g2 = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        var utc = DateTimeKind.Utc;
        yield return
        [
            1, g1, "plain", "short", "abc", """{"a": 1, "b": [true, null, "x"]}""", """{"keep":   "spacing"}""", (short)-32768, int.MinValue, long.MinValue,
            0m, 0.00m, true, new DateTime(2024, 2, 29, 12, 34, 56, utc).AddTicks(7_890_120), new DateOnly(2026, 11, 25), new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9_999_990)),
            IPAddress.Parse("192.168.1.20"), 1.5f, 3.141592653589793, new[] { "a", "b" }, new[] { g1, g2 }, new[] { "x" }, new[] { 1, 2, 3 }, "calm",
        ];
        yield return
        [
            2, Guid.Empty, "tab\tnew\nline \\ back\"quote", "ünïcødé ✓", "x", "[]", "null", (short)32767, int.MaxValue, long.MaxValue,
            79228162514264337593543950335m, -123456789012.34m, false, new DateTime(1999, 12, 31, 23, 59, 59, utc).AddTicks(9_999_990), new DateOnly(1999, 12, 31), TimeOnly.MinValue,
            IPAddress.Parse("2001:db8::1"), -0.25f, -2.5e-10, new[] { "a", null, "😀" }, Array.Empty<Guid>(), Array.Empty<string>(), Array.Empty<int>(), "très content",
        ];
        yield return
        [
            3, g2, new string('z', 200_000) + "ß", "", "", """{"nested": {"deep": [1, 2.5, "é"]}}""", "1", (short)0, 0, 0L,
            -79228162514264337593543950335m, 0.05m, true, new DateTime(1970, 1, 1, 0, 0, 0, utc), DateOnly.MinValue, new TimeOnly(0, 0, 0, 1),
            IPAddress.Parse("::1"), float.MaxValue, double.MinValue, new[] { string.Empty }, new[] { g2 }, new[] { "p", "q" }, new[] { -1 }, "calm",
        ];
        yield return
        [
            4, g1, "numeric edge cases", "v", "ab", "{}", "{}", (short)1, 1, 1L,
            0.0000000000000000000000000001m, 10000m, false, new DateTime(2000, 1, 1, 0, 0, 0, utc), new DateOnly(2000, 1, 1), new TimeOnly(12, 0),
            IPAddress.Parse("10.0.0.1"), 0f, 0d, new[] { "only" }, new[] { g1 }, new[] { "v" }, new[] { 0 }, "calm",
        ];
        foreach (var (k, n) in new[] { (5, 1.5m), (6, 0.0001m), (7, 123456789.0123m), (8, -0.05m), (9, 12345678.90m), (10, 100000000m), (11, 0.1000m), (12, 9999.9999m) })
        {
            yield return
            [
                k, g1, "n", "n", "n", "{}", "{}", (short)k, k, (long)k,
                n, Math.Round(n, 2), k % 2 == 0, new DateTime(2026, 11, 25, 8, 0, 0, utc).AddDays(-k), new DateOnly(2026, 1, k), new TimeOnly(k, k),
                IPAddress.Parse($"10.0.0.{k}"), (float)k / 4, k / 8d, new[] { $"{k}" }, new[] { g2, g1 }, new[] { "w" }, new[] { k }, k % 2 == 0 ? "calm" : "très content",
            ];
        }

        yield return [100, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null];
    }
}
