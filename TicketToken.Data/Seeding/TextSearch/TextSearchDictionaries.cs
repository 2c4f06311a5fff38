using Npgsql;

namespace TicketToken.Data.Seeding.TextSearch;

/// <summary>
/// The dictionaries a text search configuration sends each token type of PostgreSQL's default parser to
/// (<c>pg_ts_config_map</c>), as <c>to_tsvector</c> uses them: the first dictionary of a type's list that recognizes a
/// token gives its lexemes (none for a stop word, which still takes a position); a type with no dictionary, or a token
/// no dictionary recognizes, is dropped without a position. The <c>simple</c> dictionary without options lower-cases,
/// so that is done here; every other dictionary is asked on the server (<c>ts_lexize</c>) once per distinct token, on
/// a connection of its own, and remembered. Only the <c>simple</c> and <c>snowball</c> templates are accepted: they
/// give at most one lexeme per token, which is all <c>ts_lexize</c> can report faithfully.
/// </summary>
internal sealed class TextSearchDictionaries : IDisposable
{
    private const int TokenTypes = 24;

    private readonly Dict[][] _byType;
    private readonly NpgsqlDataSource _dataSource;
    private readonly object _lock = new();
    private NpgsqlConnection? _lookup;

    private TextSearchDictionaries(Dict[][] byType, NpgsqlDataSource dataSource)
    {
        _byType = byType;
        _dataSource = dataSource;
    }

    /// <summary>Tokens looked up on the server, warm-up included.</summary>
    public int ServerLookups { get; private set; }

    /// <summary>
    /// Reads <paramref name="configuration"/>'s map; null (with the reason) when it does not use the default parser or
    /// sends a token type to a dictionary of another template.
    /// </summary>
    public static async Task<(TextSearchDictionaries? Dictionaries, string? Reason)> LoadAsync(NpgsqlConnection conn, NpgsqlDataSource dataSource, string configuration, CancellationToken ct)
    {
        const string sql = """
            SELECT p.prsname = 'default' AND p.prsnamespace = 'pg_catalog'::regnamespace AS default_parser,
                   m.maptokentype, d.oid, d.dictname, tn.nspname, t.tmplname, d.dictinitoption
            FROM pg_ts_config c
            JOIN pg_ts_parser p ON p.oid = c.cfgparser
            LEFT JOIN pg_ts_config_map m ON m.mapcfg = c.oid
            LEFT JOIN pg_ts_dict d ON d.oid = m.mapdict
            LEFT JOIN pg_ts_template t ON t.oid = d.dicttemplate
            LEFT JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
            WHERE c.oid = @cfg::regconfig
            ORDER BY m.maptokentype, m.mapseqno
            """;
        var lists = new List<Dict>[TokenTypes];
        for (var i = 0; i < TokenTypes; i++)
        {
            lists[i] = [];
        }

        await using (var cmd = new NpgsqlCommand(sql, conn))
        {
            cmd.Parameters.AddWithValue("cfg", configuration);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (!reader.GetBoolean(0))
                {
                    return (null, $"text search configuration '{configuration}' does not use the default parser");
                }

                if (reader.IsDBNull(1))
                {
                    continue;
                }

                var type = reader.GetInt32(1);
                var name = reader.GetString(3);
                var template = reader.GetString(4) + "." + reader.GetString(5);
                var options = reader.IsDBNull(6) ? null : reader.GetString(6);
                if (type <= 0 || type >= TokenTypes || template is not ("pg_catalog.simple" or "pg_catalog.snowball"))
                {
                    return (null, $"text search configuration '{configuration}' maps token type {type} to dictionary '{name}' (template {template})");
                }

                lists[type].Add(new Dict(reader.GetFieldValue<uint>(2), name, template == "pg_catalog.simple" && options is null));
            }
        }

        return (new TextSearchDictionaries([.. lists.Select(l => l.ToArray())], dataSource), null);
    }

    /// <summary>
    /// What <c>to_tsvector</c> makes of one token of the given type: <see cref="LexizeResult.Dropped"/> (no position),
    /// <see cref="LexizeResult.Lowercase"/> (the simple dictionary: the token lower-cased, for the caller to do), or
    /// <see cref="LexizeResult.Lexemes"/> with <paramref name="lexemes"/> (empty for a stop word, which still takes a
    /// position).
    /// </summary>
    public LexizeResult Lexize(int type, ReadOnlySpan<char> token, out string[]? lexemes)
    {
        lexemes = null;
        if (type <= 0 || type >= TokenTypes)
        {
            return LexizeResult.Dropped;
        }

        foreach (var dict in _byType[type])
        {
            if (dict.LocalSimple)
            {
                return LexizeResult.Lowercase;
            }

            lexemes = Lookup(dict, token);
            if (lexemes is not null)
            {
                return LexizeResult.Lexemes;
            }
        }

        return LexizeResult.Dropped;
    }

    /// <summary>Looks up, in one statement per dictionary, every token the types' server-side dictionaries will be asked for.</summary>
    public async Task WarmAsync(NpgsqlConnection conn, IEnumerable<int> types, IReadOnlyCollection<string> tokens, CancellationToken ct)
    {
        var dicts = types.SelectMany(t => _byType[t]).Where(d => !d.LocalSimple).DistinctBy(d => d.Oid).ToList();
        foreach (var dict in dicts)
        {
            await using var cmd = new NpgsqlCommand("SELECT w, ts_lexize(@d::bigint::oid::regdictionary, w) FROM unnest(@w::text[]) w", conn);
            cmd.Parameters.AddWithValue("d", (long)dict.Oid);
            cmd.Parameters.AddWithValue("w", tokens.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var lexemes = reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1);
                lock (_lock)
                {
                    dict.Cache[reader.GetString(0)] = Checked(dict, reader.GetString(0), lexemes);
                    ServerLookups++;
                }
            }
        }
    }

    public void Dispose()
    {
        _lookup?.Dispose();
        _lookup = null;
    }

    private static string[]? Checked(Dict dict, string token, string[]? lexemes) =>
        lexemes is { Length: > 1 }
            ? throw new InvalidOperationException($"Dictionary '{dict.Name}' gave {lexemes.Length} lexemes for '{token}'; only one can be placed faithfully.")
            : lexemes;

    private string[]? Lookup(Dict dict, ReadOnlySpan<char> token)
    {
        lock (_lock)
        {
            if (dict.Known.TryGetValue(token, out var known))
            {
                return known;
            }

            // Rare (warm-up covers the common tokens): a synchronous round trip on the lookup connection. The caller
            // is a COPY's row enumeration, which has no await point to offer.
            if (_lookup is null)
            {
                _lookup = _dataSource.CreateConnection();
                _lookup.Open();
            }

            var text = token.ToString();
            using var cmd = new NpgsqlCommand("SELECT ts_lexize(@d::bigint::oid::regdictionary, @w)", _lookup);
            cmd.Parameters.AddWithValue("d", (long)dict.Oid);
            cmd.Parameters.AddWithValue("w", text);
            var result = cmd.ExecuteScalar();
            var lexemes = Checked(dict, text, result is string[] found ? found : null);
            dict.Cache[text] = lexemes;
            ServerLookups++;
            return lexemes;
        }
    }

    /// <summary>A dictionary of the map; tokens looked up on the server are remembered per dictionary.</summary>
    private sealed class Dict
    {
        public Dict(uint oid, string name, bool localSimple)
        {
            Oid = oid;
            Name = name;
            LocalSimple = localSimple;
            Known = Cache.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public uint Oid { get; }

        public string Name { get; }

        public bool LocalSimple { get; }

        public Dictionary<string, string[]?> Cache { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string[]?>.AlternateLookup<ReadOnlySpan<char>> Known { get; }
    }
}

/// <summary>What a text search configuration makes of a token (<see cref="TextSearchDictionaries.Lexize"/>).</summary>
internal enum LexizeResult
{
    /// <summary>No dictionary takes it: no lexeme and no position.</summary>
    Dropped,

    /// <summary>The simple dictionary without options: the token lower-cased.</summary>
    Lowercase,

    /// <summary>The lexemes a server-side dictionary gave (none for a stop word, which still takes a position).</summary>
    Lexemes,
}
