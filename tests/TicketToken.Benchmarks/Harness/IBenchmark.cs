namespace TicketToken.Benchmarks.Harness;

/// <summary>
/// A benchmark: a public class with a parameterless constructor, found by reflection. Its figures are printed as a
/// table and as <c>bench &lt;name&gt; &lt;value&gt; &lt;unit&gt;</c> lines; they are measurements, never assertions.
/// </summary>
public interface IBenchmark
{
    /// <summary>Dotted, lower-case name (<c>startup</c>, <c>query.tenant</c>); <c>dotnet run ... -- &lt;prefix&gt;</c> selects by prefix.</summary>
    string Name { get; }

    /// <summary>One line for the listing (<c>--list</c>).</summary>
    string Description { get; }

    /// <summary>Whether it needs the database in <c>ConnectionStrings:TicketToken</c>.</summary>
    bool NeedsDatabase { get; }

    Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A benchmark that measures in fresh processes (cold start): <see cref="ChildProcess"/> starts this program again with
/// <c>--child &lt;Name&gt; args...</c>, which calls <see cref="RunChildAsync"/> in the new process.
/// </summary>
public interface IChildProcessBenchmark : IBenchmark
{
    /// <summary>Runs in the child process; writes its result with <see cref="ChildProcess.Report"/>; returns the exit code.</summary>
    Task<int> RunChildAsync(BenchmarkContext context, string[] args, CancellationToken cancellationToken);
}
