using System.Text.RegularExpressions;
using Npgsql;

namespace TicketToken.Data.Seeding.TextSearch;

/// <summary>
/// <c>orders.search_vector</c> computed in the seeder, so a bulk load can write orders with triggers off. The column is
/// kept by a BEFORE INSERT trigger whose function (the platform's and this project's, the same expression) is
/// <c>setweight(to_tsvector('english', id::text), 'A') || setweight(to_tsvector('english', order_number), 'A') ||
/// setweight(to_tsvector('english', status), 'C')</c>; in the large seed that trigger cost about 10 s of server CPU per
/// million orders and made the COPY insert row by row (ADR 0003, "The search vector in the seeder"). Used only when the
/// database's trigger is recognised as exactly that expression and is the only one that fires on INSERT, and when the
/// 'english' configuration uses the default parser with simple and snowball dictionaries; otherwise the trigger stays
/// on. <see cref="CountMismatchesAsync"/> lets the seed check what it wrote against the server's own expression.
/// </summary>
internal sealed partial class OrderSearchVectors : IDisposable
{
    /// <summary>The trigger function's body with whitespace removed, lower-cased, without a final semicolon.</summary>
    internal const string RecognisedBody =
        "beginnew.search_vector:=setweight(to_tsvector('english',coalesce(new.id::text,'')),'a')" +
        "||setweight(to_tsvector('english',coalesce(new.order_number,'')),'a')" +
        "||setweight(to_tsvector('english',coalesce(new.status,'')),'c');returnnew;end";

    /// <summary>The same expression over a row <c>o</c> of orders, for checking.</summary>
    internal const string Expression =
        "setweight(to_tsvector('english', coalesce(o.id::text, '')), 'A') || setweight(to_tsvector('english', coalesce(o.order_number, '')), 'A') || setweight(to_tsvector('english', coalesce(o.status, '')), 'C')";

    private readonly TextSearchDictionaries _dictionaries;
    private readonly TsVectorBuilder _builder;
    private readonly char[] _id = new char[36];

    private OrderSearchVectors(TextSearchDictionaries dictionaries)
    {
        _dictionaries = dictionaries;
        _builder = new TsVectorBuilder(dictionaries);
    }

    /// <summary>Tokens looked up on the server so far.</summary>
    public int ServerLookups => _dictionaries.ServerLookups;

    /// <summary>
    /// Null, with the reason, unless <c>public.orders</c> has a <c>search_vector</c> tsvector column kept by the
    /// recognised trigger alone and the 'english' configuration can be reproduced.
    /// </summary>
    public static async Task<(OrderSearchVectors? Vectors, string? Reason)> TryCreateAsync(NpgsqlConnection conn, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        const string triggers = """
            SELECT t.tgname, t.tgenabled::text, t.tgtype, l.lanname, p.prosrc
            FROM pg_trigger t
            JOIN pg_proc p ON p.oid = t.tgfoid
            JOIN pg_language l ON l.oid = p.prolang
            WHERE t.tgrelid = to_regclass('public.orders') AND NOT t.tgisinternal AND (t.tgtype & 4) <> 0
            """;
        var onInsert = new List<(string Name, string Enabled, short Type, string Language, string Source)>();
        await using (var cmd = new NpgsqlCommand(triggers, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                onInsert.Add((reader.GetString(0), reader.GetString(1), reader.GetInt16(2), reader.GetString(3), reader.GetString(4)));
            }
        }

        if (onInsert.Count != 1)
        {
            return (null, $"orders has {onInsert.Count} triggers on INSERT; the seeder reproduces only the search-vector trigger, alone");
        }

        var (name, enabled, type, language, source) = onInsert[0];
        const short rowBefore = 1 | 2;
        if (enabled != "O" || (type & rowBefore) != rowBefore || language != "plpgsql" || Normalise(source) != RecognisedBody)
        {
            return (null, $"orders' INSERT trigger '{name}' is not the recognised search-vector trigger");
        }

        await using (var column = new NpgsqlCommand("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'search_vector' AND NOT attisdropped", conn))
        {
            if (await column.ExecuteScalarAsync(ct) as string != "tsvector")
            {
                return (null, "orders.search_vector is not a tsvector column");
            }
        }

        var (dictionaries, reason) = await TextSearchDictionaries.LoadAsync(conn, dataSource, "english", ct);
        if (dictionaries is null)
        {
            return (null, reason);
        }

        // Hex words of up to four letters: the letter-only groups and pieces of the order ids, so that the COPY
        // seldom has to stop for a lookup. Longer ones (an eight-letter first group, one in 400,000 ids) are looked up
        // as they come.
        var words = new List<string>();
        for (var length = 1; length <= 4; length++)
        {
            HexWords(new char[length], 0, words);
        }

        await dictionaries.WarmAsync(conn, [PgTokenType.AsciiWord, PgTokenType.HWordAsciiPart, PgTokenType.AsciiHWord], words, ct);
        return (new OrderSearchVectors(dictionaries), null);
    }

    /// <summary>The orders' search vectors in a sample of the table's pages (all of them at 100) that differ from the server's expression.</summary>
    public static async Task<long> CountMismatchesAsync(NpgsqlConnection conn, int samplePercent, CancellationToken ct)
    {
        var sample = samplePercent >= 100 ? string.Empty : $" TABLESAMPLE SYSTEM ({samplePercent}) REPEATABLE (0)";
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM public.orders o{sample} WHERE o.search_vector IS DISTINCT FROM ({Expression})", conn) { CommandTimeout = 0 };
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The trigger's value for one order; valid until the next call (see <see cref="TsVectorBuilder.Build"/>).</summary>
    public TsVectorValue Compute(Guid id, string? orderNumber, string? status)
    {
        id.TryFormat(_id, out _, "D");
        return _builder.Clear()
            .Append(_id, 'A')
            .Append(orderNumber, 'A')
            .Append(status, 'C')
            .Build();
    }

    public void Dispose() => _dictionaries.Dispose();

    internal static string Normalise(string body) => Whitespace().Replace(body, string.Empty).ToLowerInvariant().TrimEnd(';');

    private static void HexWords(char[] word, int at, List<string> into)
    {
        if (at == word.Length)
        {
            into.Add(new string(word));
            return;
        }

        for (var c = 'a'; c <= 'f'; c++)
        {
            word[at] = c;
            HexWords(word, at + 1, into);
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
