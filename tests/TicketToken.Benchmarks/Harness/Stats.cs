namespace TicketToken.Benchmarks.Harness;

/// <summary>Summary of timing samples (one unit for all): percentiles by linear interpolation between ranks.</summary>
public sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> samples, string unit)
    {
        _sorted = samples.Order().ToArray();
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(samples));
        }

        Unit = unit;
    }

    public string Unit { get; }

    public int Count => _sorted.Length;

    public IReadOnlyList<double> Sorted => _sorted;

    public double Median => Percentile(50);

    public double P95 => Percentile(95);

    public double Min => _sorted[0];

    public double Max => _sorted[^1];

    public double Mean => _sorted.Average();

    /// <summary>The <paramref name="p"/>th percentile (0..100), interpolated between the two nearest samples.</summary>
    public double Percentile(double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        var rank = p / 100 * (_sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return _sorted[lower] + ((_sorted[upper] - _sorted[lower]) * (rank - lower));
    }
}
