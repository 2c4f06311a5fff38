using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace TicketToken.Data.Infrastructure;

/// <summary>
/// Compares the platform tables the model maps with the live database: every table and column the portal needs must
/// exist with the same type and nullability. Used by 'db check' and, in existing-database mode, at startup.
/// </summary>
public static class PlatformSchemaCheck
{
    public static async Task<IReadOnlyList<string>> FindProblemsAsync(PlatformDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var live = await ReadColumnsAsync(db, cancellationToken);
        var problems = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null).OrderBy(e => e.GetTableName(), StringComparer.Ordinal))
        {
            var table = entity.GetTableName()!;
            var schema = entity.GetSchema() ?? "public";
            if (!live.TryGetValue((schema, table), out var columns))
            {
                problems.Add($"table {schema}.{table} is missing");
                continue;
            }

            var store = StoreObjectIdentifier.Table(table, schema);
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName(store);
                if (column is null)
                {
                    continue;
                }

                if (!columns.TryGetValue(column, out var actual))
                {
                    problems.Add($"column {schema}.{table}.{column} is missing");
                    continue;
                }

                var expected = NormalizeType(property.GetColumnType(store));
                if (!string.Equals(expected, NormalizeType(actual.Type), StringComparison.Ordinal))
                {
                    problems.Add($"column {schema}.{table}.{column} is {actual.Type}, the portal expects {property.GetColumnType(store)}");
                }

                if (!property.IsColumnNullable(store) && actual.Nullable)
                {
                    problems.Add($"column {schema}.{table}.{column} allows NULL, the portal expects NOT NULL");
                }
            }
        }

        return problems;
    }

    internal static string NormalizeType(string type)
    {
        var t = type.Trim().ToLowerInvariant();
        var array = t.EndsWith("[]", StringComparison.Ordinal);
        if (array)
        {
            t = t[..^2];
        }

        var paren = t.IndexOf('(', StringComparison.Ordinal);
        var baseName = paren >= 0 ? t[..paren].Trim() : t;
        var args = paren >= 0 ? t[paren..].Replace(" ", "", StringComparison.Ordinal) : "";
        if (baseName.StartsWith("public.", StringComparison.Ordinal))
        {
            baseName = baseName["public.".Length..];
        }

        baseName = baseName switch
        {
            "varchar" => "character varying",
            "char" or "bpchar" => "character",
            "timestamptz" => "timestamp with time zone",
            "timestamp" => "timestamp without time zone",
            "timetz" => "time with time zone",
            "time" => "time without time zone",
            "int" or "int4" => "integer",
            "int8" => "bigint",
            "int2" => "smallint",
            "bool" => "boolean",
            "float8" => "double precision",
            "float4" => "real",
            "decimal" => "numeric",
            _ => baseName,
        };
        return baseName + args + (array ? "[]" : "");
    }

    private static async Task<Dictionary<(string Schema, string Table), Dictionary<string, (string Type, bool Nullable)>>> ReadColumnsAsync(
        PlatformDbContext db, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            """;
        var result = new Dictionary<(string, string), Dictionary<string, (string, bool)>>();
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }

        try
        {
            await using DbCommand cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!result.TryGetValue(key, out var cols))
                {
                    result[key] = cols = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
                }

                cols[reader.GetString(2)] = (reader.GetString(3), reader.GetBoolean(4));
            }
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }

        return result;
    }
}
