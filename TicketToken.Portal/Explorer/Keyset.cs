using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace TicketToken.Portal.Explorer;

/// <summary>
/// Keyset paging: the next page starts after the last row's (sort value, key) instead of skipping rows, so page 10,000
/// costs what page 2 costs. Used for "next page" when the table has a one-column key; any other jump falls back to OFFSET.
/// </summary>
public static class Keyset
{
    public static bool Applies(ExplorerTable table, ExplorerColumn sort) =>
        table.Key.Count == 1 && sort.CanSort;

    public static string Encode(ExplorerColumn sort, ExplorerColumn key, object entity)
    {
        ArgumentNullException.ThrowIfNull(sort);
        ArgumentNullException.ThrowIfNull(key);
        string?[] values = [Raw(sort.Property.GetValue(entity)), Raw(key.Property.GetValue(entity))];
        return Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(values)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The rows after the cursor, as SQL the rest of the LINQ query composes on; null when the cursor is unreadable.</summary>
    public static IQueryable<T>? After<T>(DbSet<T> set, ExplorerTable table, ExplorerColumn sort, bool descending, string cursor)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(sort);
        string?[]? values;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            values = JsonSerializer.Deserialize<string?[]>(Convert.FromBase64String(padded));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }

        if (values is not { Length: 2 } || values[1] is null)
        {
            return null;
        }

        var key = table.Key[0];
        var s = Quote(sort.Name);
        var k = Quote(key.Name);
        var (cmp, nullsFirst) = descending ? ("<", true) : (">", false);
        var keyParam = new NpgsqlParameter("k", Typed(key, values[1]!));
        string condition;
        var parameters = new List<object> { keyParam };
        if (values[0] is null)
        {
            // Still among the NULL sort values: NULLS LAST when ascending, NULLS FIRST when descending.
            condition = nullsFirst ? $"({s} IS NULL AND {k} {cmp} @k) OR {s} IS NOT NULL" : $"{s} IS NULL AND {k} {cmp} @k";
        }
        else
        {
            parameters.Add(new NpgsqlParameter("v", Typed(sort, values[0]!)));
            condition = $"({s}, {k}) {cmp} (@v, @k)" + (nullsFirst ? "" : $" OR {s} IS NULL");
        }

        var sql = $"SELECT * FROM public.{Quote(table.Name)} WHERE {condition}";
        return set.FromSqlRaw(sql, [.. parameters]);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string? Raw(object? value) => value switch
    {
        null => null,
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static object Typed(ExplorerColumn column, string text)
    {
        var clr = column.ClrType;
        if (clr == typeof(string))
        {
            return text;
        }

        if (clr == typeof(Guid))
        {
            return Guid.Parse(text);
        }

        if (clr == typeof(DateTimeOffset))
        {
            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }

        if (clr == typeof(DateOnly))
        {
            return DateOnly.Parse(text, CultureInfo.InvariantCulture);
        }

        if (clr.IsEnum)
        {
            return Enum.Parse(clr, text);
        }

        return Convert.ChangeType(text, clr, CultureInfo.InvariantCulture);
    }
}
