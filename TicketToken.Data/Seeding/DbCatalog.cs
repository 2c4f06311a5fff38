using Npgsql;

namespace TicketToken.Data.Seeding;

/// <summary>A column of the live database, read from pg_catalog.</summary>
internal sealed record ColumnInfo(
    string Name,
    int Ordinal,
    string FormattedType,
    string TypeName,
    char TypeKind,
    string? ElementTypeName,
    bool NotNull,
    string? Default,
    bool IsGenerated,
    bool IsIdentity,
    int MaxLength,
    int NumericPrecision,
    int NumericScale,
    IReadOnlyList<string> EnumLabels)
{
    public bool IsArray => ElementTypeName is not null;

    public bool IsSerial => IsIdentity || (Default?.StartsWith("nextval(", StringComparison.Ordinal) ?? false);

    /// <summary>Columns the database fills itself and that a COPY must leave out.</summary>
    public bool IsDatabaseFilled => IsGenerated || IsSerial;
}

internal sealed record ForeignKeyInfo(string Name, string Table, IReadOnlyList<string> Columns, string RefTable, IReadOnlyList<string> RefColumns)
{
    public bool IsSelfReference => Table == RefTable;
}

internal sealed record UniqueInfo(string Name, IReadOnlyList<string> Columns, bool IsPrimaryKey);

internal sealed record CheckInfo(string Name, string Definition);

internal sealed class TableInfo
{
    public required string Name { get; init; }

    public required IReadOnlyList<ColumnInfo> Columns { get; init; }

    public IReadOnlyList<string> PrimaryKey { get; set; } = [];

    public List<ForeignKeyInfo> ForeignKeys { get; } = [];

    public List<UniqueInfo> Uniques { get; } = [];

    public List<CheckInfo> Checks { get; } = [];

    public bool RlsEnabled { get; init; }

    public ColumnInfo? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    public bool Has(string name) => Columns.Any(c => c.Name == name);

    public string QuotedName => DbCatalog.Quote(Name);
}

/// <summary>
/// The shape of the database the seeder runs on, read from pg_catalog (not from a model), so the seeder works on
/// any database of the platform's shape. Only ordinary tables of the public schema are considered; the services'
/// knex migration bookkeeping tables are left alone.
/// </summary>
internal sealed class DbCatalog
{
    public required IReadOnlyDictionary<string, TableInfo> Tables { get; init; }

    public TableInfo this[string table] => Tables[table];

    public bool HasTable(string table) => Tables.ContainsKey(table);

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static bool IsBookkeeping(string table) => table.StartsWith("knex_migrations", StringComparison.Ordinal);

    public static async Task<DbCatalog> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var enums = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
            JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var name = r.GetString(0);
                if (!enums.TryGetValue(name, out var list))
                {
                    enums[name] = list = [];
                }

                list.Add(r.GetString(1));
            }
        }

        var columns = new Dictionary<string, List<ColumnInfo>>(StringComparer.Ordinal);
        var rls = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), t.typname, t.typtype,
                   et.typname, a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attgenerated <> '', a.attidentity <> '',
                   a.atttypmod, c.relrowsecurity, CASE WHEN et.oid IS NOT NULL THEN et.typtype ELSE NULL END
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var table = r.GetString(0);
                if (IsBookkeeping(table))
                {
                    continue;
                }

                var typeName = r.GetString(4);
                var typeKind = r.GetChar(5);
                var elem = r.IsDBNull(6) ? null : r.GetString(6);
                var typmod = r.GetInt32(11);
                int maxLen = 0, precision = 0, scale = 0;
                var baseType = elem ?? typeName;
                if (typmod > 4 && baseType is "varchar" or "bpchar")
                {
                    maxLen = typmod - 4;
                }
                else if (typmod > 4 && baseType == "numeric")
                {
                    precision = ((typmod - 4) >> 16) & 0xFFFF;
                    scale = (typmod - 4) & 0xFFFF;
                }

                IReadOnlyList<string> labels = [];
                if (typeKind == 'e' && enums.TryGetValue(typeName, out var l))
                {
                    labels = l;
                }
                else if (elem is not null && !r.IsDBNull(13) && r.GetChar(13) == 'e' && enums.TryGetValue(elem, out var el))
                {
                    labels = el;
                }

                if (!columns.TryGetValue(table, out var list))
                {
                    columns[table] = list = [];
                    rls[table] = r.GetBoolean(12);
                }

                list.Add(new ColumnInfo(
                    r.GetString(1), r.GetInt16(2), r.GetString(3), typeName, typeKind, elem, r.GetBoolean(7),
                    r.IsDBNull(8) ? null : r.GetString(8), r.GetBoolean(9), r.GetBoolean(10), maxLen, precision, scale, labels));
            }
        }

        var tables = columns.ToDictionary(
            kv => kv.Key,
            kv => new TableInfo { Name = kv.Key, Columns = kv.Value, RlsEnabled = rls[kv.Key] },
            StringComparer.Ordinal);

        string ColName(TableInfo t, short attnum) => t.Columns.First(c => c.Ordinal == attnum).Name;

        await using (var cmd = new NpgsqlCommand(
            """
            SELECT con.conname, con.contype, c.relname, con.conkey, fc.relname, con.confkey, pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class fc ON fc.oid = con.confrelid
            WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f', 'c')
            ORDER BY c.relname, con.conname
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                if (!tables.TryGetValue(r.GetString(2), out var t))
                {
                    continue;
                }

                var name = r.GetString(0);
                var kind = r.GetChar(1);
                var keys = r.IsDBNull(3) ? [] : r.GetFieldValue<short[]>(3);
                var cols = keys.Select(k => ColName(t, k)).ToList();
                switch (kind)
                {
                    case 'p':
                        t.PrimaryKey = cols;
                        t.Uniques.Add(new UniqueInfo(name, cols, true));
                        break;
                    case 'u':
                        t.Uniques.Add(new UniqueInfo(name, cols, false));
                        break;
                    case 'f':
                        if (tables.TryGetValue(r.GetString(4), out var rt))
                        {
                            var fkeys = r.GetFieldValue<short[]>(5);
                            t.ForeignKeys.Add(new ForeignKeyInfo(name, t.Name, cols, rt.Name, fkeys.Select(k => ColName(rt, k)).ToList()));
                        }

                        break;
                    case 'c':
                        t.Checks.Add(new CheckInfo(name, r.GetString(6)));
                        break;
                }
            }
        }

        // Unique indexes that are not constraints (partial ones included: treating them as full is the safe side).
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT ic.relname, c.relname, i.indkey::text
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND i.indisunique AND i.indexprs IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
            ORDER BY c.relname, ic.relname
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                if (!tables.TryGetValue(r.GetString(1), out var t))
                {
                    continue;
                }

                var keys = r.GetString(2).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(short.Parse).ToList();
                if (keys.Contains(0))
                {
                    continue;
                }

                var cols = keys.Select(k => ColName(t, k)).ToList();
                if (!t.Uniques.Any(u => u.Columns.SequenceEqual(cols)))
                {
                    t.Uniques.Add(new UniqueInfo(r.GetString(0), cols, false));
                }
            }
        }

        return new DbCatalog { Tables = tables };
    }

    /// <summary>
    /// Tables in foreign key dependency order (parents first). Self-references are ignored; a cycle is broken at a
    /// table whose foreign keys into the cycle are all nullable, and those keys are returned as deferred (written NULL).
    /// </summary>
    public (IReadOnlyList<string> Order, IReadOnlySet<ForeignKeyInfo> Deferred) DependencyOrder()
    {
        var remaining = new SortedSet<string>(Tables.Keys, StringComparer.Ordinal);
        var deferred = new HashSet<ForeignKeyInfo>();
        var order = new List<string>();
        var done = new HashSet<string>(StringComparer.Ordinal);

        bool Ready(string t) => Tables[t].ForeignKeys.All(fk => fk.IsSelfReference || done.Contains(fk.RefTable) || deferred.Contains(fk));

        while (remaining.Count > 0)
        {
            var ready = remaining.Where(Ready).ToList();
            if (ready.Count == 0)
            {
                // Break a cycle: defer the nullable keys of the table with the fewest unresolved ones.
                var candidate = remaining
                    .Select(t => (t, Open: Tables[t].ForeignKeys.Where(fk => !fk.IsSelfReference && !done.Contains(fk.RefTable) && !deferred.Contains(fk)).ToList()))
                    .Where(x => x.Open.All(fk => fk.Columns.All(c => !Tables[x.t].Column(c)!.NotNull)))
                    .OrderBy(x => x.Open.Count).ThenBy(x => x.t, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (candidate.t is null)
                {
                    throw new InvalidOperationException("The foreign keys form a cycle of NOT NULL columns: no insertion order exists.");
                }

                foreach (var fk in candidate.Open)
                {
                    deferred.Add(fk);
                }

                continue;
            }

            foreach (var t in ready)
            {
                remaining.Remove(t);
                done.Add(t);
                order.Add(t);
            }
        }

        return (order, deferred);
    }
}
