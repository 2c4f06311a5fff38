using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace TicketToken.Benchmarks.Harness;

/// <summary>
/// Runs this program again as a child (<c>--child &lt;benchmark&gt; args...</c>) for measurements that need a fresh
/// process. The child writes one <see cref="ResultPrefix"/> line of JSON; the parent times the child from its start to
/// that line (process start, runtime start-up, JIT, the work), so the child's own exit is not counted.
/// </summary>
public static class ChildProcess
{
    public const string ChildArgument = "--child";
    private const string ResultPrefix = "tt-bench-result ";

    /// <summary>A child's result: its JSON values and the wall time the parent saw until the result line.</summary>
    public sealed record Result(Dictionary<string, double> Values, double WallMs);

    /// <summary>In the child: write the result line that the parent waits for.</summary>
    public static void Report(IReadOnlyDictionary<string, double> values)
    {
        Console.Out.WriteLine(ResultPrefix + JsonSerializer.Serialize(values));
        Console.Out.Flush();
    }

    /// <summary>Starts the child with <paramref name="environment"/> added to this process's environment and waits for its result.</summary>
    public static async Task<Result> RunAsync(
        string benchmark, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        start.FileName = processPath;
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            // Started as 'dotnet TicketToken.Benchmarks.dll': the child needs the dll too.
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        start.ArgumentList.Add(ChildArgument);
        start.ArgumentList.Add(benchmark);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {processPath}.");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        string? resultLine = null;
        double wallMs = 0;
        var otherOutput = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal) && resultLine is null)
            {
                wallMs = stopwatch.Elapsed.TotalMilliseconds;
                resultLine = line[ResultPrefix.Length..];
            }
            else
            {
                otherOutput.Add(line);
            }
        }

        await process.WaitForExitAsync(cancellationToken);
        var errors = await stderr;
        if (process.ExitCode != 0 || resultLine is null)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The child process for '{benchmark} {string.Join(' ', args)}' failed (exit code {process.ExitCode}):{Environment.NewLine}{string.Join(Environment.NewLine, otherOutput)}{errors}"));
        }

        var values = JsonSerializer.Deserialize<Dictionary<string, double>>(resultLine)
            ?? throw new InvalidOperationException($"The child process for '{benchmark}' wrote an empty result.");
        return new Result(values, wallMs);
    }
}
