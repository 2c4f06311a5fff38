using System.Diagnostics;

namespace TicketToken.Benchmarks.Harness;

/// <summary>Runs an action a few times to warm up (JIT, pools, caches), then times each of the next iterations.</summary>
public static class Timing
{
    /// <summary>Times <paramref name="action"/>; samples in microseconds (<c>us</c>).</summary>
    public static async Task<Stats> MeasureAsync(
        Func<CancellationToken, Task> action, int warmup, int iterations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        for (var i = 0; i < warmup; i++)
        {
            await action(cancellationToken);
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            await action(cancellationToken);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return new Stats(samples, "us");
    }

    /// <summary>
    /// Times two actions alternately (a, b, a, b, ...) after warming both up, so that both see the same machine: the same
    /// load from other work, the same caches, the same state of tiered compilation. Samples in microseconds.
    /// </summary>
    public static async Task<(Stats A, Stats B)> CompareAsync(
        Func<CancellationToken, Task> a, Func<CancellationToken, Task> b, int warmup, int iterations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        for (var i = 0; i < warmup; i++)
        {
            await a(cancellationToken);
            await b(cancellationToken);
        }

        var samplesA = new double[iterations];
        var samplesB = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            await a(cancellationToken);
            samplesA[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            start = Stopwatch.GetTimestamp();
            await b(cancellationToken);
            samplesB[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return (new Stats(samplesA, "us"), new Stats(samplesB, "us"));
    }
}
