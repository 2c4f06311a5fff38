using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace TicketToken.Portal.Explorer;

/// <summary>
/// Turns a <see cref="GridState"/> into SQL through LINQ expressions over the entity type: typed column filters, quick
/// search, sort and paging. Values are always parameters. Bad input is reported, never thrown, and its filter ignored.
/// </summary>
public static class ExplorerQuery
{
    private static readonly MethodInfo ILike = typeof(NpgsqlDbFunctionsExtensions).GetMethod(
        nameof(NpgsqlDbFunctionsExtensions.ILike), [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;

    private static readonly MethodInfo Matches = typeof(NpgsqlFullTextSearchLinqExtensions).GetMethod(
        nameof(NpgsqlFullTextSearchLinqExtensions.Matches), [typeof(NpgsqlTsVector), typeof(string)])!;

    public static IQueryable<T> Filter<T>(IQueryable<T> source, ExplorerTable table, GridState state, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(problems);
        var x = Expression.Parameter(typeof(T), "x");
        foreach (var filter in state.Filters)
        {
            var column = table.Column(filter.Column);
            if (column is null)
            {
                problems.Add($"There is no column '{filter.Column}' in {table.Name}; that filter was ignored.");
                continue;
            }

            if (!column.CanFilter)
            {
                problems.Add($"{column.Name} cannot be filtered.");
                continue;
            }

            try
            {
                var predicate = Predicate(x, column, filter);
                source = source.Where(Expression.Lambda<Func<T, bool>>(predicate, x));
            }
            catch (FormatException ex)
            {
                problems.Add($"{column.Name}: {ex.Message} That filter was ignored.");
            }
        }

        if (!string.IsNullOrWhiteSpace(state.Search) && SearchPredicate(x, table, state.Search.Trim()) is { } search)
        {
            source = source.Where(Expression.Lambda<Func<T, bool>>(search, x));
        }

        return source;
    }

    /// <summary>The column and direction the rows are ordered by: the asked one when it can sort, else the table's default.</summary>
    public static (ExplorerColumn Column, bool Descending) SortColumn(ExplorerTable table, GridState state)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(state);
        return state.Sort is not null && table.Column(state.Sort) is { CanSort: true } wanted ? (wanted, state.Descending) : table.DefaultSort;
    }

    public static IQueryable<T> Sort<T>(IQueryable<T> source, ExplorerTable table, GridState state, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(problems);
        var (column, descending) = SortColumn(table, state);
        if (state.Sort is not null && table.Column(state.Sort) is not { CanSort: true })
        {
            problems.Add($"{table.Name} cannot be sorted by '{state.Sort}'.");
        }

        var ordered = OrderBy(source, column, descending, first: true);
        // The key breaks ties, so pages never overlap or skip rows.
        foreach (var key in table.Key.Where(k => k != column))
        {
            ordered = OrderBy(ordered, key, descending, first: false);
        }

        return ordered;
    }

    private static IOrderedQueryable<T> OrderBy<T>(IQueryable<T> source, ExplorerColumn column, bool descending, bool first)
    {
        var x = Expression.Parameter(typeof(T), "x");
        var lambda = Expression.Lambda(Expression.Property(x, column.Property), x);
        var method = (first, descending) switch
        {
            (true, false) => nameof(Queryable.OrderBy),
            (true, true) => nameof(Queryable.OrderByDescending),
            (false, false) => nameof(Queryable.ThenBy),
            (false, true) => nameof(Queryable.ThenByDescending),
        };
        var call = Expression.Call(typeof(Queryable), method, [typeof(T), column.Property.PropertyType], source.Expression, Expression.Quote(lambda));
        return (IOrderedQueryable<T>)source.Provider.CreateQuery<T>(call);
    }

    internal static Expression Predicate(ParameterExpression x, ExplorerColumn column, GridFilter filter)
    {
        var member = Expression.Property(x, column.Property);
        var type = column.Property.PropertyType;
        var nullable = !type.IsValueType || System.Nullable.GetUnderlyingType(type) is not null;
        switch (filter.Op)
        {
            case GridFilter.Empty:
            case GridFilter.NotEmpty:
                {
                    Expression empty = nullable ? Expression.Equal(member, Expression.Constant(null, type)) : Expression.Constant(false);
                    if (type == typeof(string))
                    {
                        empty = Expression.OrElse(empty, Expression.Equal(member, Param(string.Empty, type)));
                    }

                    return filter.Op == GridFilter.Empty ? empty : Expression.Not(empty);
                }

            case GridFilter.Contains when column.Kind is ColumnKind.Text or ColumnKind.Choice && type == typeof(string):
                return Expression.Call(ILike, Expression.Constant(EF.Functions), member, Param($"%{EscapeLike(filter.Value)}%", typeof(string)), Expression.Constant("\\"));

            case GridFilter.Equal:
                return Expression.Equal(member, Param(ParseValue(column, filter.Value), type));

            case GridFilter.Between when column.Kind is ColumnKind.Number or ColumnKind.Cents or ColumnKind.Date:
                {
                    var parts = filter.Value.Split(',', 2);
                    var from = parts[0].Trim();
                    var to = parts.Length > 1 ? parts[1].Trim() : "";
                    Expression result = Expression.Constant(true);
                    if (from.Length > 0)
                    {
                        result = Expression.AndAlso(result, Expression.GreaterThanOrEqual(member, Param(ParseValue(column, from), type)));
                    }

                    if (to.Length > 0)
                    {
                        // A date range includes its last day.
                        result = column.Kind == ColumnKind.Date && !to.Contains('T', StringComparison.Ordinal)
                            ? Expression.AndAlso(result, Expression.LessThan(member, Param(ParseValue(column, to, addDays: 1), type)))
                            : Expression.AndAlso(result, Expression.LessThanOrEqual(member, Param(ParseValue(column, to), type)));
                    }

                    return result;
                }

            default:
                throw new FormatException($"'{filter.Op}' is not a filter for this column.");
        }
    }

    /// <summary>The quick search: the full-text index where the table has one; else text columns by ILIKE; a uuid matches any uuid column.</summary>
    private static Expression? SearchPredicate(ParameterExpression x, ExplorerTable table, string text)
    {
        if (Guid.TryParse(text, out var id))
        {
            return table.Columns.Where(c => c.Kind == ColumnKind.Guid && !c.IsSensitive)
                .Select(c => (Expression)Expression.Equal(Expression.Property(x, c.Property), Param(id, c.Property.PropertyType)))
                .Aggregate<Expression, Expression?>(null, (acc, e) => acc is null ? e : Expression.OrElse(acc, e));
        }

        var vector = table.Columns.FirstOrDefault(c => c.Kind == ColumnKind.SearchVector);
        var pattern = Param($"%{EscapeLike(text)}%", typeof(string));
        var textMatches = table.Columns
            .Where(c => c.Kind is ColumnKind.Text or ColumnKind.Choice && c.ClrType == typeof(string) && !c.IsSensitive)
            .Select(c => (Expression)Expression.Call(ILike, Expression.Constant(EF.Functions), Expression.Property(x, c.Property), pattern, Expression.Constant("\\")));
        if (vector is not null)
        {
            var member = Expression.Property(x, vector.Property);
            var matches = Expression.AndAlso(
                Expression.NotEqual(member, Expression.Constant(null, vector.Property.PropertyType)),
                Expression.Call(Matches, Expression.Convert(member, typeof(NpgsqlTsVector)), Param(text, typeof(string))));
            textMatches = textMatches.Prepend(matches);
        }

        return textMatches.Aggregate<Expression, Expression?>(null, (acc, e) => acc is null ? e : Expression.OrElse(acc, e))
            ?? Expression.Constant(false);
    }

    internal static object ParseValue(ExplorerColumn column, string text, int addDays = 0)
    {
        var t = text.Trim();
        var clr = column.ClrType;
        switch (column.Kind)
        {
            case ColumnKind.Text:
                return text;
            case ColumnKind.Choice when clr.IsEnum:
                return Enum.TryParse(clr, t, ignoreCase: true, out var e) ? e! : throw new FormatException($"'{t}' is not one of {string.Join(", ", column.AllowedValues)}.");
            case ColumnKind.Choice:
                return column.AllowedValues.Contains(t) ? t : throw new FormatException($"'{t}' is not one of {string.Join(", ", column.AllowedValues)}.");
            case ColumnKind.Boolean:
                return bool.TryParse(t, out var b) ? b : throw new FormatException($"'{t}' is not true or false.");
            case ColumnKind.Guid:
                return Guid.TryParse(t, out var g) ? g : throw new FormatException($"'{t}' is not a uuid.");
            case ColumnKind.Cents:
                {
                    // Money is entered in currency units and compared in cents.
                    if (!decimal.TryParse(t, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
                    {
                        throw new FormatException($"'{t}' is not an amount.");
                    }

                    return Convert.ChangeType(decimal.Round(amount * 100m, 0, MidpointRounding.AwayFromZero), clr, CultureInfo.InvariantCulture);
                }

            case ColumnKind.Number:
                {
                    if (!decimal.TryParse(t, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
                    {
                        throw new FormatException($"'{t}' is not a number.");
                    }

                    try
                    {
                        return Convert.ChangeType(number, clr, CultureInfo.InvariantCulture);
                    }
                    catch (OverflowException)
                    {
                        throw new FormatException($"'{t}' is out of range.");
                    }
                }

            case ColumnKind.Date:
                {
                    if (!DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when))
                    {
                        throw new FormatException($"'{t}' is not a date (use 2026-03-01 or 2026-03-01T12:00Z).");
                    }

                    when = when.AddDays(addDays);
                    return clr == typeof(DateOnly) ? DateOnly.FromDateTime(when.UtcDateTime)
                        : clr == typeof(DateTime) ? when.UtcDateTime
                        : when;
                }

            default:
                throw new FormatException("this column cannot be filtered.");
        }
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>A value EF sends as a parameter (a captured closure member), converted to the column's type.</summary>
    private static Expression Param(object value, Type type)
    {
        var holder = Activator.CreateInstance(typeof(Holder<>).MakeGenericType(value.GetType()), value)!;
        Expression member = Expression.Property(Expression.Constant(holder), "Value");
        return member.Type == type ? member : Expression.Convert(member, type);
    }

    private sealed class Holder<TValue>(TValue value)
    {
        public TValue Value { get; } = value;
    }
}
