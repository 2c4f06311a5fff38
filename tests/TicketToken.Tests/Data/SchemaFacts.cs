using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace TicketToken.Tests.Data;

/// <summary>One fact about a schema: an aspect (table, column type, index, ...), the object it is about and its value.</summary>
public sealed record SchemaFact(string Aspect, string Table, string Object, string Value);

public sealed record SchemaDifference(string Aspect, string Object, string Kind, string? Expected, string? Actual)
{
    public override string ToString() => Kind switch
    {
        "missing" => $"{Aspect} {Object}: missing (expected {Expected})",
        "unexpected" => $"{Aspect} {Object}: unexpected (found {Actual})",
        _ => $"{Aspect} {Object}: expected {Expected} but found {Actual}",
    };
}

/// <summary>
/// The schema facts that the fresh install must reproduce, read either from catalog.json or from a live
/// database through pg_catalog, in the same shape so that they compare aspect by aspect.
/// </summary>
public sealed class SchemaFacts
{
    // Aspects of a column or table that are only compared when the column / table exists on both sides.
    private static readonly string[] TableAspects = ["table"];
    private static readonly string[] ColumnSubAspects = ["column type", "nullability", "default"];

    private readonly Dictionary<(string Aspect, string Object), SchemaFact> _facts = [];

    public int Count => _facts.Count;

    public IEnumerable<SchemaFact> Facts => _facts.Values;

    private void Add(string aspect, string table, string obj, string value)
    {
        if (!_facts.TryAdd((aspect, obj), new SchemaFact(aspect, table, obj, value)))
        {
            throw new InvalidOperationException($"duplicate fact {aspect} {obj}");
        }
    }

    public static string CatalogPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "TicketToken.Data", "Codegen", "catalog.json");
            if (System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("TicketToken.Data/Codegen/catalog.json not found above " + AppContext.BaseDirectory);
    }

    public static SchemaFacts FromCatalog(string path)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var root = doc.RootElement;
        var facts = new SchemaFacts();
        foreach (var t in root.GetProperty("tables").EnumerateArray())
        {
            var table = t.GetProperty("table").GetString()!;
            facts.Add("table", table, table, "present");
            foreach (var c in t.GetProperty("columns").EnumerateArray())
            {
                var name = $"{table}.{c.GetProperty("name").GetString()}";
                facts.Add("column", table, name, "present");
                facts.Add("column type", table, name, c.GetProperty("type").GetString()!);
                facts.Add("nullability", table, name, c.GetProperty("nullable").GetBoolean() ? "NULL" : "NOT NULL");
                var generated = c.TryGetProperty("generated", out var g) ? g.GetString() : null;
                facts.Add("default", table, name, DefaultText(StringOrNull(c.GetProperty("default")), generated));
            }

            var pk = t.GetProperty("primary_key");
            if (pk.ValueKind == JsonValueKind.Object)
            {
                facts.Add("primary key", table, table, $"{pk.GetProperty("name").GetString()} ({Join(pk.GetProperty("columns"))})");
            }

            foreach (var fk in t.GetProperty("foreign_keys").EnumerateArray())
            {
                var refTable = fk.GetProperty("ref_table").GetString()!;
                refTable = refTable.StartsWith("public.", StringComparison.Ordinal) ? refTable["public.".Length..] : refTable;
                facts.Add("foreign key", table, $"{table}.{fk.GetProperty("name").GetString()}",
                    ForeignKeyText(Join(fk.GetProperty("columns")), refTable, Join(fk.GetProperty("ref_columns")),
                        fk.GetProperty("on_delete").GetString()!, fk.GetProperty("on_update").GetString()!));
            }

            foreach (var u in t.GetProperty("unique_constraints").EnumerateArray())
            {
                facts.Add("unique constraint", table, $"{table}.{u.GetProperty("name").GetString()}", u.GetProperty("definition").GetString()!);
            }

            foreach (var ck in t.GetProperty("check_constraints").EnumerateArray())
            {
                facts.Add("check constraint", table, $"{table}.{ck.GetProperty("name").GetString()}", ck.GetProperty("expression").GetString()!);
            }

            foreach (var ix in t.GetProperty("indexes").EnumerateArray())
            {
                facts.Add("index", table, $"{table}.{ix.GetProperty("name").GetString()}", ix.GetProperty("definition").GetString()!);
            }

            foreach (var tr in t.GetProperty("triggers").EnumerateArray())
            {
                facts.Add("trigger", table, $"{table}.{tr.GetProperty("name").GetString()}", tr.GetProperty("definition").GetString()!);
            }

            var rls = t.GetProperty("rls");
            facts.Add("row-level security", table, table, RlsText(rls.GetProperty("enabled").GetBoolean(), rls.GetProperty("forced").GetBoolean()));
            foreach (var p in rls.GetProperty("policies").EnumerateArray())
            {
                facts.Add("policy", table, $"{table}.{p.GetProperty("name").GetString()}",
                    PolicyText(p.GetProperty("permissive").GetString()!, p.GetProperty("command").GetString()!, Join(p.GetProperty("roles"))));
            }
        }

        foreach (var e in root.GetProperty("enum_types").EnumerateArray())
        {
            var name = e.GetProperty("name").GetString()!;
            facts.Add("enum type", "", name, Join(e.GetProperty("values")));
        }

        foreach (var x in root.GetProperty("extensions").EnumerateArray())
        {
            var name = x.GetProperty("name").GetString()!;
            facts.Add("extension", "", name, x.GetProperty("version").GetString()!);
        }

        foreach (var s in root.GetProperty("sequences").EnumerateArray())
        {
            var name = s.GetString()!;
            // The knex_migrations* bookkeeping tables of the services' own migration tool are not platform tables.
            if (!name.StartsWith("public.knex_migrations", StringComparison.Ordinal))
            {
                facts.Add("sequence", "", name, "present");
            }
        }

        return facts;
    }

    public static async Task<SchemaFacts> FromDatabaseAsync(string connectionString, IReadOnlyCollection<string> excludedTables)
    {
        var facts = new SchemaFacts();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var excluded = excludedTables.ToArray();

        const string tableFilter = """
            n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> ALL($1) AND c.relname NOT LIKE 'knex\_migrations%'
            """;

        await ReadAsync(conn, $"""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {tableFilter}
            """, excluded, r =>
        {
            var table = r.GetString(0);
            facts.Add("table", table, table, "present");
            facts.Add("row-level security", table, table, RlsText(r.GetBoolean(1), r.GetBoolean(2)));
        });

        await ReadAsync(conn, $"""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attgenerated::text
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE {tableFilter} AND a.attnum > 0 AND NOT a.attisdropped
            """, excluded, r =>
        {
            var table = r.GetString(0);
            var name = $"{table}.{r.GetString(1)}";
            facts.Add("column", table, name, "present");
            facts.Add("column type", table, name, r.GetString(2));
            facts.Add("nullability", table, name, r.GetBoolean(3) ? "NOT NULL" : "NULL");
            var generated = r.GetString(5);
            facts.Add("default", table, name, DefaultText(r.IsDBNull(4) ? null : r.GetString(4), generated.Length == 0 ? null : generated));
        });

        await ReadAsync(conn, $"""
            SELECT c.relname, con.conname, con.contype::text, pg_get_constraintdef(con.oid),
                   ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
                   fc.relname,
                   ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord),
                   con.confdeltype::text, con.confupdtype::text
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class fc ON fc.oid = con.confrelid
            WHERE {tableFilter} AND con.contype IN ('p', 'f', 'u', 'c')
            """, excluded, r =>
        {
            var table = r.GetString(0);
            var name = r.GetString(1);
            var columns = string.Join(", ", r.GetFieldValue<string[]>(4));
            switch (r.GetString(2))
            {
                case "p":
                    facts.Add("primary key", table, table, $"{name} ({columns})");
                    break;
                case "f":
                    facts.Add("foreign key", table, $"{table}.{name}", ForeignKeyText(columns, r.GetString(5),
                        string.Join(", ", r.GetFieldValue<string[]>(6)), ReferentialAction(r.GetString(7)), ReferentialAction(r.GetString(8))));
                    break;
                case "u":
                    facts.Add("unique constraint", table, $"{table}.{name}", r.GetString(3));
                    break;
                default:
                    facts.Add("check constraint", table, $"{table}.{name}", r.GetString(3));
                    break;
            }
        });

        await ReadAsync(conn, $"""
            SELECT c.relname, i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {tableFilter}
            """, excluded, r => facts.Add("index", r.GetString(0), $"{r.GetString(0)}.{r.GetString(1)}", r.GetString(2)));

        await ReadAsync(conn, $"""
            SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {tableFilter} AND NOT t.tgisinternal
            """, excluded, r => facts.Add("trigger", r.GetString(0), $"{r.GetString(0)}.{r.GetString(1)}", r.GetString(2)));

        await ReadAsync(conn, $"""
            SELECT c.relname, p.polname, CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                   ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE pg_get_userbyid(r.oid)::text END
                         FROM unnest(p.polroles) AS r(oid) ORDER BY 1)
            FROM pg_policy p
            JOIN pg_class c ON c.oid = p.polrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {tableFilter}
            """, excluded, r => facts.Add("policy", r.GetString(0), $"{r.GetString(0)}.{r.GetString(1)}",
            PolicyText(r.GetString(2), r.GetString(3), string.Join(", ", r.GetFieldValue<string[]>(4)))));

        await ReadAsync(conn, """
            SELECT t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'public'
            GROUP BY t.typname
            """, excluded, r => facts.Add("enum type", "", r.GetString(0), r.GetString(1)));

        await ReadAsync(conn, "SELECT extname, extversion FROM pg_extension", excluded,
            r => facts.Add("extension", "", r.GetString(0), r.GetString(1)));

        await ReadAsync(conn, """
            SELECT schemaname || '.' || sequencename FROM pg_sequences
            WHERE schemaname = 'public' AND sequencename NOT LIKE 'knex\_migrations%'
            """, excluded, r => facts.Add("sequence", "", r.GetString(0), "present"));

        return facts;
    }

    /// <summary>Differences of <paramref name="actual"/> from this (expected) set, without repeating the details of missing tables and columns.</summary>
    public IReadOnlyList<SchemaDifference> Compare(SchemaFacts actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var differences = new List<SchemaDifference>();
        var absentTables = new HashSet<string>(StringComparer.Ordinal);
        var absentColumns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var aspect in new[] { "table", "column" })
        {
            foreach (var key in _facts.Keys.Where(k => k.Aspect == aspect).Union(actual._facts.Keys.Where(k => k.Aspect == aspect)))
            {
                if (_facts.ContainsKey(key) != actual._facts.ContainsKey(key))
                {
                    (aspect == "table" ? absentTables : absentColumns).Add(key.Object);
                }
            }
        }

        foreach (var key in _facts.Keys.Union(actual._facts.Keys).Order())
        {
            _facts.TryGetValue(key, out var expected);
            actual._facts.TryGetValue(key, out var found);
            var table = (expected ?? found)!.Table;
            var isTableAspect = TableAspects.Contains(key.Aspect);
            if (!isTableAspect && table.Length > 0 && absentTables.Contains(table))
            {
                continue;
            }

            if (ColumnSubAspects.Contains(key.Aspect) && absentColumns.Contains(key.Object))
            {
                continue;
            }

            if (expected is null)
            {
                differences.Add(new SchemaDifference(key.Aspect, key.Object, "unexpected", null, found!.Value));
            }
            else if (found is null)
            {
                differences.Add(new SchemaDifference(key.Aspect, key.Object, "missing", expected.Value, null));
            }
            else if (!string.Equals(expected.Value, found.Value, StringComparison.Ordinal))
            {
                differences.Add(new SchemaDifference(key.Aspect, key.Object, "differs", expected.Value, found.Value));
            }
        }

        return differences;
    }

    public static string Describe(IEnumerable<SchemaDifference> differences)
    {
        var sb = new StringBuilder();
        foreach (var group in differences.GroupBy(d => d.Aspect).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{group.Key} ({group.Count()}):\n");
            foreach (var d in group)
            {
                sb.Append("  ").Append(d).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static async Task ReadAsync(NpgsqlConnection conn, string sql, string[] excluded, Action<NpgsqlDataReader> row)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            cmd.Parameters.AddWithValue(excluded);
        }
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            row(reader);
        }
    }

    private static string? StringOrNull(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();

    private static string Join(JsonElement array) => string.Join(", ", array.EnumerateArray().Select(x => x.GetString()));

    private static string DefaultText(string? expression, string? generated) => (expression, generated) switch
    {
        (null, _) => "(none)",
        (_, "s") => $"GENERATED ALWAYS AS ({expression}) STORED",
        _ => expression,
    };

    private static string ForeignKeyText(string columns, string refTable, string refColumns, string onDelete, string onUpdate) =>
        $"({columns}) REFERENCES {refTable} ({refColumns}) ON DELETE {onDelete} ON UPDATE {onUpdate}";

    private static string ReferentialAction(string code) => code switch
    {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        _ => code,
    };

    private static string RlsText(bool enabled, bool forced) =>
        (enabled ? "enabled" : "disabled") + (forced ? ", forced" : ", not forced");

    private static string PolicyText(string permissive, string command, string roles) => $"{permissive} FOR {command} TO {roles}";
}
