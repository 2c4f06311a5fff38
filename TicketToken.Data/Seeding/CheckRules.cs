using System.Globalization;
using System.Text.RegularExpressions;

namespace TicketToken.Data.Seeding;

/// <summary>What the CHECK constraints of a table say about one column, as far as the simple shapes go.</summary>
internal sealed class ColumnRule
{
    public List<string>? AllowedValues { get; set; }

    public decimal? Min { get; set; }

    public decimal? Max { get; set; }

    public int? MinLength { get; set; }

    public int? MaxLength { get; set; }

    public string? Pattern { get; set; }
}

/// <summary>A comparison between two columns of the same row, e.g. <c>available_quantity &lt;= quantity</c>.</summary>
internal sealed record ColumnComparison(string Left, string Op, string Right);

/// <summary>
/// Parses pg_get_constraintdef output into per-column rules: <c>col = ANY (ARRAY[...])</c> value lists, comparisons
/// with constants (<c>&gt;=, &gt;, &lt;=, &lt;</c>), <c>length(col)</c> bounds, regular expressions, and comparisons
/// between two columns. Anything else is left to the value heuristics (and to the retry of the generic seeder).
/// </summary>
internal static partial class CheckRules
{
    [GeneratedRegex(@"\(*(\w+)\)*(?:::[\w ]+)?\s*=\s*ANY\s*\(+ARRAY\[(.*?)\]", RegexOptions.CultureInvariant)]
    private static partial Regex AnyArray();

    [GeneratedRegex(@"'((?:[^']|'')*)'", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    [GeneratedRegex(@"length\(\(?(\w+)\)?(?:::\w+)?\)\s*(>=|>|<=|<)\s*(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex Length();

    [GeneratedRegex(@"\(*(\w+)\)*(?:::[\w ]+)?\s*(>=|>|<=|<|<>)\s*\(*(-?\d+(?:\.\d+)?|\w+)\)*(?:::\w+)?", RegexOptions.CultureInvariant)]
    private static partial Regex Compare();

    [GeneratedRegex(@"\(*(\w+)\)*(?:::\w+)?\s*~\s*'((?:[^']|'')*)'", RegexOptions.CultureInvariant)]
    private static partial Regex Match();

    public static (Dictionary<string, ColumnRule> Rules, List<ColumnComparison> Comparisons) Parse(TableInfo table)
    {
        var rules = new Dictionary<string, ColumnRule>(StringComparer.Ordinal);
        var comparisons = new List<ColumnComparison>();
        ColumnRule RuleFor(string c) => rules.TryGetValue(c, out var r) ? r : rules[c] = new ColumnRule();

        foreach (var check in table.Checks)
        {
            var def = check.Definition;
            foreach (Match m in AnyArray().Matches(def))
            {
                var col = m.Groups[1].Value;
                if (!table.Has(col))
                {
                    continue;
                }

                var values = Quoted().Matches(m.Groups[2].Value).Select(q => q.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal)).ToList();
                if (values.Count > 0)
                {
                    RuleFor(col).AllowedValues = values;
                }
            }

            foreach (Match m in Length().Matches(def))
            {
                var col = m.Groups[1].Value;
                var n = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
                switch (m.Groups[2].Value)
                {
                    case ">=": RuleFor(col).MinLength = n; break;
                    case ">": RuleFor(col).MinLength = n + 1; break;
                    case "<=": RuleFor(col).MaxLength = n; break;
                    case "<": RuleFor(col).MaxLength = n - 1; break;
                }
            }

            foreach (Match m in Match().Matches(def))
            {
                if (table.Has(m.Groups[1].Value))
                {
                    RuleFor(m.Groups[1].Value).Pattern = m.Groups[2].Value;
                }
            }

            var withoutLength = Length().Replace(def, string.Empty);
            foreach (Match m in Compare().Matches(withoutLength))
            {
                var col = m.Groups[1].Value;
                var op = m.Groups[2].Value;
                var rhs = m.Groups[3].Value;
                if (!table.Has(col))
                {
                    continue;
                }

                if (decimal.TryParse(rhs, NumberStyles.Number, CultureInfo.InvariantCulture, out var n))
                {
                    var r = RuleFor(col);
                    switch (op)
                    {
                        case ">=": r.Min = Math.Max(r.Min ?? n, n); break;
                        case ">": r.Min = Math.Max(r.Min ?? (n + 1), n + 1); break; // integers; decimals get +1 too, which is safe
                        case "<=": r.Max = Math.Min(r.Max ?? n, n); break;
                        case "<": r.Max = Math.Min(r.Max ?? (n - 1), n - 1); break;
                    }
                }
                else if (table.Has(rhs) && rhs != col)
                {
                    comparisons.Add(new ColumnComparison(col, op, rhs));
                }
            }
        }

        return (rules, comparisons);
    }
}
