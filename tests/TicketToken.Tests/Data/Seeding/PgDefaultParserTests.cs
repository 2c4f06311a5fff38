using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using TicketToken.Data.Seeding.TextSearch;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>
/// The port of PostgreSQL's default text search parser (<see cref="PgDefaultParser"/>) against PostgreSQL itself:
/// for every input string the port's tokens must be exactly the rows of <c>ts_parse('default', t)</c> (type ids and
/// texts, in order, blanks included). Uuids matter most (the bulk loader parses millions of them); the random and
/// crafted strings drive the rest of the state machine: hosts, emails, URLs, numbers, paths, tags, entities and the
/// hyphenated-word lookahead. Each test's random inputs come from a fixed seed, which a failure names.
/// </summary>
public sealed class PgDefaultParserTests
{
    private const int BatchSize = 20_000;

    private const string Hex = "0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Random_uuids_parse_as_PostgreSQL_parses_them()
    {
        const int seed = 20_260_101;
        var rnd = new Random(seed);
        var inputs = new List<string>(320_000);
        for (var i = 0; i < 160_000; i++)
        {
            inputs.Add(Uuid(rnd, version4: true));
            inputs.Add(Uuid(rnd, version4: false));
        }

        await AssertSameAsPostgresAsync(inputs, seed);
    }

    [Fact]
    public async Task Crafted_uuid_like_strings_parse_as_PostgreSQL_parses_them()
    {
        const int seed = 7_919;
        var rnd = new Random(seed);
        var inputs = new List<string>
        {
            "deadbeef-face-4f70-abcd-0c1d2e3f4a5b",
            "deadbeef-face-cafe-abcd-fedcbafedcba",
            "12345678-1234-1234-1234-123456789012",
            "15e87888-104b-4a9a-9c2d-5f82c1ab7a33",
            "9f010188-1e4b-4a9a-9c2d-5f82c1ab7a33",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "-9f010188-104b-4a9a-9c2d-5f82c1ab7a33",
            "--9f010188-104b-4a9a-9c2d-5f82c1ab7a33",
            "9f010188-104b-4a9a-9c2d-5f82c1ab7a33-",
            "9f010188--104b-4a9a-9c2d-5f82c1ab7a33",
            "1e5-2e6-3e7-4e8-5e9",
            "1e-5",
            "abc-1e5",
            "9F010188-104B-4A9A-9C2D-5F82C1AB7A33",
            "{9f010188-104b-4a9a-9c2d-5f82c1ab7a33}",
            "9f010188104b4a9a9c2d5f82c1ab7a33",
        };

        for (var i = 0; i < 60_000; i++)
        {
            inputs.Add(CraftedUuid(rnd));
        }

        await AssertSameAsPostgresAsync(inputs, seed);
    }

    [Fact]
    public async Task Order_numbers_status_words_and_the_empty_string_parse_as_PostgreSQL_parses_them()
    {
        const int seed = 42;
        var rnd = new Random(seed);
        var inputs = new List<string>
        {
            "", " ", "TT042-00000001", "TT7-12", "TT-12", "tt042-00000001", "CONFIRMED", "PENDING", "CANCELLED", "REFUNDED",
            "partially_refunded", "payment_failed", "checked_in", "a_b_c", "_x_", "TT042-00000001-2", "T-1", "X1-Y2-Z3",
        };
        for (var i = 0; i < 20_000; i++)
        {
            var prefix = new string(Enumerable.Range(0, rnd.Next(1, 5)).Select(_ => (char)(rnd.Next(2) == 0 ? 'A' + rnd.Next(26) : 'a' + rnd.Next(26))).ToArray());
            var code = rnd.Next(0, 10_000).ToString(rnd.Next(2) == 0 ? "D3" : "D1", CultureInfo.InvariantCulture);
            var serial = rnd.Next(0, 100_000_000).ToString(rnd.Next(2) == 0 ? "D8" : "D1", CultureInfo.InvariantCulture);
            inputs.Add(rnd.Next(4) switch
            {
                0 => $"{prefix}{code}-{serial}",
                1 => $"{prefix}-{serial}",
                2 => $"{prefix}{code}_{serial}",
                _ => $"{prefix}{code}-{serial}-{prefix}",
            });
        }

        await AssertSameAsPostgresAsync(inputs, seed);
    }

    [Fact]
    public async Task Random_ASCII_strings_parse_as_PostgreSQL_parses_them()
    {
        const int seed = 1_234_567;
        var rnd = new Random(seed);
        const string broad = "abcxyzeEABCXYZ0123456789-_.@/:+&~<>!;=?#%'\" \t\n";
        var all = new string(Enumerable.Range(1, 127).Select(c => (char)c).ToArray());
        var inputs = new List<string>();
        for (var i = 0; i < 60_000; i++)
        {
            inputs.Add(RandomString(rnd, broad, rnd.Next(0, 41)));
        }

        for (var i = 0; i < 20_000; i++)
        {
            inputs.Add(RandomString(rnd, all, rnd.Next(0, 41)));
        }

        await AssertSameAsPostgresAsync(inputs, seed);
    }

    [Fact]
    public async Task Every_short_string_over_a_small_alphabet_parses_as_PostgreSQL_parses_it()
    {
        // Every string of up to four characters over an alphabet that reaches most states quickly.
        const string alphabet = "a1e-.@/:<>&;# x";
        var inputs = new List<string> { "" };
        var level = new List<string> { "" };
        for (var length = 1; length <= 4; length++)
        {
            level = [.. level.SelectMany(s => alphabet.Select(c => s + c))];
            inputs.AddRange(level);
        }

        for (var c = 1; c < 128; c++)
        {
            inputs.Add(((char)c).ToString());
        }

        await AssertSameAsPostgresAsync(inputs, seed: 0);
    }

    [Fact]
    public async Task Emails_urls_numbers_paths_and_XML_parse_as_PostgreSQL_parses_them()
    {
        const int seed = 99_991;
        var rnd = new Random(seed);
        var inputs = new List<string>
        {
            "http://a.b/c?d", "http://example.com/path/to?x=1&y=2#frag", "https://www.example.org:8080/index.html", "ftp://files.example.net/pub/",
            "example.com", "www.example.com/", "sub.example.co.uk:443/x", "localhost:5432", "a.bc", "a.b", "1.2.3.4", "host-1.example.com",
            "foo@example.com", "first.last@sub.example.org", "x_y@a-b.cd", "a@b", "a@b.c", "a@bc.de@fg.hi", "user@host.com/path",
            "1.2.3", "1.2.3.4.5", "-1.2.3", "+1.2", "3.14", ".5", "5.", "-0.25", "+42", "-42", "1e5", "1E+5", "-1.5e-10", "2.5e", "12e+",
            "/usr/local/bin", "~/notes.txt", "../a/b.c", "./x", "/", "//", "a/b/c", "file.tar.gz", "C:/x", "~user/x",
            "<a href=\"x\">", "</a>", "<br/>", "<p class='q'>text</p>", "<!-- c -->", "<!DOCTYPE html>", "<?xml version=\"1.0\"?>",
            "<script>var x = 1;</script>after", "<style>p { color: red }</style>after", "<SCRIPT>x</SCRIPT>y", "<a title=\"x\\\"y\">",
            "&amp;", "&#123;", "&#x1F;", "&lt;b&gt;", "&nbsp", "&a.b-c;", "&;",
            "state-of-the-art", "foo-bar-1", "1-2-3", "a-1b", "a--b", "well-known-42x", "re-enter", "x-", "-x", "a-1e5",
        };

        string[] fragments =
        [
            "http://", "https://", "ftp:", "www.", "example", ".com", ".org", ".c", "a.b", "@", "/", "//", "~", "~/", "../", "./", "..",
            "-", "--", "+", "_", ".", ":", "::", ":80", "?q=1", "&", "#", ";", "'", "\"", "\\", "=", "%20", "1.2.3", "1e5", "e-3", "E+",
            "3.14", "0", "42", "007", "x", "e", "abc", "ABC", "Mixed", "a1", "1a", "<a href=\"x\">", "</a>", "<br/>", "<", ">", "<!--",
            "-->", "<!DOCTYPE", "<?xml", "<script>", "</script>", "<style>", "</style>", "&amp;", "&#38;", "&#x26;", " ", "  ", "\t", "\n",
            "!", "?", "$", "^", "`", "{", "}", "|", "[", "]", "(", ")", ",",
        ];
        for (var i = 0; i < 40_000; i++)
        {
            var sb = new StringBuilder();
            var parts = rnd.Next(1, 9);
            for (var p = 0; p < parts; p++)
            {
                sb.Append(fragments[rnd.Next(fragments.Length)]);
            }

            inputs.Add(sb.ToString());
        }

        await AssertSameAsPostgresAsync(inputs, seed);
    }

    [Theory]
    [InlineData("café")]
    [InlineData("naïve-word")]
    [InlineData("a\0b")]
    [InlineData("\u007F\u0080")]
    [InlineData("😀")]
    public void Text_beyond_ASCII_or_with_NUL_is_refused(string text)
    {
        var tokens = new List<PgToken>();
        Assert.Throws<ArgumentException>(() => PgDefaultParser.Parse(text, tokens));
        Assert.Empty(tokens);
    }

    [Fact]
    public void Tokens_are_appended_and_point_into_the_text()
    {
        var tokens = new List<PgToken> { new(PgTokenType.Blank, 0, 0) };
        PgDefaultParser.Parse("TT042-00000001", tokens);
        PgToken[] expected = [new(PgTokenType.Blank, 0, 0), new(PgTokenType.NumWord, 0, 5), new(PgTokenType.SignedInt, 5, 9)];
        Assert.Equal(expected, tokens);
    }

    /// <summary>
    /// Compares the port with <c>ts_parse</c> for every input, in batches of one query each, and fails on the first
    /// input (in input order) whose tokens differ, naming it, both token lists and the seed.
    /// </summary>
    private static async Task AssertSameAsPostgresAsync(List<string> inputs, int seed)
    {
        const string sql = """
            SELECT x.ids, x.toks
            FROM unnest(@inputs) WITH ORDINALITY AS i(t, n)
            CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(p.tokid ORDER BY p.k), '{}') AS ids, coalesce(array_agg(p.token ORDER BY p.k), '{}') AS toks
                FROM ts_parse('default', i.t) WITH ORDINALITY AS p(tokid, token, k)) x
            ORDER BY i.n
            """;

        await using var conn = new NpgsqlConnection(TestDatabase.AdminConnectionString);
        await conn.OpenAsync(Ct);
        var tokens = new List<PgToken>();
        var compared = 0;
        long tokenCount = 0;
        for (var start = 0; start < inputs.Count; start += BatchSize)
        {
            var batch = inputs.GetRange(start, Math.Min(BatchSize, inputs.Count - start)).ToArray();
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.Add(new NpgsqlParameter("inputs", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch });
            await using var reader = await cmd.ExecuteReaderAsync(Ct);
            var k = 0;
            while (await reader.ReadAsync(Ct))
            {
                var ids = reader.GetFieldValue<int[]>(0);
                var texts = reader.GetFieldValue<string[]>(1);
                var input = batch[k];
                tokens.Clear();
                PgDefaultParser.Parse(input, tokens);
                if (!Same(input, tokens, ids, texts))
                {
                    Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"""
                        seed {seed}: input #{start + k} {Quote(input)} parses differently.
                          PostgreSQL: {Describe(ids, texts)}
                          port:       {Describe([.. tokens.Select(t => t.Type)], [.. tokens.Select(t => input.Substring(t.Start, t.Length))])}
                        """));
                }

                tokenCount += ids.Length;
                k++;
            }

            Assert.Equal(batch.Length, k);
            compared += k;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {compared} strings, {tokenCount} tokens, all the same as ts_parse."));
    }

    private static bool Same(string input, List<PgToken> tokens, int[] ids, string[] texts)
    {
        if (tokens.Count != ids.Length)
        {
            return false;
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var t = tokens[i];
            if (t.Type != ids[i] || !input.AsSpan(t.Start, t.Length).SequenceEqual(texts[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(int[] ids, string[] texts) =>
        "[" + string.Join(", ", ids.Select((id, i) => string.Create(CultureInfo.InvariantCulture, $"{id}:{Quote(texts[i])}"))) + "]";

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\t' => "\\t",
                '\n' => "\\n",
                < ' ' or '\u007F' => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    private static string RandomString(Random rnd, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[rnd.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>A lowercase uuid in 8-4-4-4-12 form: random hex, or with the version 4 and variant nibbles of Guid.NewGuid.</summary>
    private static string Uuid(Random rnd, bool version4)
    {
        Span<char> s = stackalloc char[36];
        for (var i = 0; i < 36; i++)
        {
            s[i] = i is 8 or 13 or 18 or 23 ? '-' : Hex[rnd.Next(16)];
        }

        if (version4)
        {
            s[14] = '4';
            s[19] = Hex[8 + rnd.Next(4)];
        }

        return new string(s);
    }

    /// <summary>
    /// A uuid-like string whose groups are each random hex, all digits, all letters a-f, digits around an e
    /// (scientific notation), upper case or of a shifted length, sometimes with extra or missing hyphens at the ends or
    /// between the groups.
    /// </summary>
    private static string CraftedUuid(Random rnd)
    {
        int[] lengths = [8, 4, 4, 4, 12];
        var sb = new StringBuilder();
        if (rnd.Next(8) == 0)
        {
            sb.Append('-', rnd.Next(1, 3));
        }

        for (var g = 0; g < lengths.Length; g++)
        {
            if (g > 0)
            {
                sb.Append(rnd.Next(30) switch
                {
                    0 => "--",
                    1 => "",
                    2 => ".",
                    _ => "-",
                });
            }

            var length = rnd.Next(6) == 0 ? rnd.Next(1, 14) : lengths[g];
            var group = new char[length];
            var mode = rnd.Next(7);
            for (var i = 0; i < length; i++)
            {
                group[i] = mode switch
                {
                    0 => (char)('0' + rnd.Next(10)),
                    1 => (char)('a' + rnd.Next(6)),
                    2 => rnd.Next(3) == 0 ? 'e' : (char)('0' + rnd.Next(10)),
                    3 => "0123456789ABCDEF"[rnd.Next(16)],
                    _ => Hex[rnd.Next(16)],
                };
            }

            sb.Append(group);
        }

        if (rnd.Next(8) == 0)
        {
            sb.Append('-', rnd.Next(1, 3));
        }

        return sb.ToString();
    }
}
