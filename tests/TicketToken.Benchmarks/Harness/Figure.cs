using System.Globalization;

namespace TicketToken.Benchmarks.Harness;

/// <summary>One measured figure, e.g. <c>startup.cold.compiled.ms 812.3 ms</c>.</summary>
/// <param name="Name">Dotted name starting with the benchmark's name; no spaces.</param>
/// <param name="Value">The value; timings are medians or percentiles of several samples.</param>
/// <param name="Unit"><c>ms</c>, <c>us</c>, <c>x</c> (a ratio), <c>count</c>, <c>MB</c>...</param>
/// <param name="Note">What it is, for the table (not printed on the <c>bench</c> line).</param>
public sealed record Figure(string Name, double Value, string Unit, string Note = "")
{
    public string FormattedValue => Value.ToString(
        Value == Math.Floor(Value) && Math.Abs(Value) < 1e15 ? "0" : Math.Abs(Value) >= 100 ? "0.0" : "0.###",
        CultureInfo.InvariantCulture);

    /// <summary>The line for scripts: <c>bench &lt;name&gt; &lt;value&gt; &lt;unit&gt;</c>.</summary>
    public string ScriptLine => $"bench {Name} {FormattedValue} {Unit}";

    /// <summary>Median, p95, min and max of <paramref name="stats"/> as figures <c>&lt;name&gt;.p50.&lt;unit&gt;</c> etc.</summary>
    public static IEnumerable<Figure> FromStats(string name, Stats stats, string note)
    {
        ArgumentNullException.ThrowIfNull(stats);
        yield return new Figure($"{name}.p50.{stats.Unit}", stats.Median, stats.Unit, $"{note}: median of {stats.Count}");
        yield return new Figure($"{name}.p95.{stats.Unit}", stats.P95, stats.Unit, $"{note}: 95th percentile");
    }
}
