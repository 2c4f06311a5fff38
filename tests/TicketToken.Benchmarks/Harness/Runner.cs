using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace TicketToken.Benchmarks.Harness;

/// <summary>Finds the benchmarks, selects them by name prefix, runs them and prints their figures.</summary>
public static class Runner
{
    public const string MissingConnectionMessage =
        "ConnectionStrings:TicketToken is not set. Benchmarks that read data need a migrated database: set the environment " +
        "variable ConnectionStrings__TicketToken, e.g. ConnectionStrings__TicketToken=\"Host=127.0.0.1;Port=5432;Database=bench;" +
        "Username=postgres\" after 'createdb bench' and 'dotnet run --project TicketToken.Portal -- db migrate' on it " +
        "(optionally 'db seed --scale demo'). See README.md, section Benchmarks.";

    private const string Usage = """
        usage: dotnet run -c Release --project tests/TicketToken.Benchmarks -- [name-prefix...] [options]
          name-prefix      run the benchmarks whose name starts with it (none: all)
          --list           list the benchmarks and exit
          --samples N      fresh processes per variant for cold-start benchmarks (default 5)
          --iterations N   timed iterations for in-process benchmarks (default 200)
          --warmup N       untimed warm-up iterations before them (default 20)
        Database: ConnectionStrings__TicketToken. Output: a table, then one 'bench <name> <value> <unit>' line per figure.
        """;

    /// <summary>Every public, non-abstract <see cref="IBenchmark"/> with a parameterless constructor in this assembly, by name.</summary>
    public static IReadOnlyList<IBenchmark> Discover() =>
        typeof(Runner).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(IBenchmark).IsAssignableFrom(t)
                && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var all = Discover();

        if (args.Length > 1 && args[0] == ChildProcess.ChildArgument)
        {
            var child = all.OfType<IChildProcessBenchmark>().SingleOrDefault(b => b.Name == args[1])
                ?? throw new InvalidOperationException($"No child-process benchmark named '{args[1]}'.");
            return await child.RunChildAsync(new BenchmarkContext(configuration, new BenchmarkSettings()), args[2..], cts.Token);
        }

        var prefixes = new List<string>();
        var settings = new BenchmarkSettings();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--list":
                    foreach (var b in all)
                    {
                        Console.WriteLine($"{b.Name,-24} {(b.NeedsDatabase ? "[database] " : "")}{b.Description}");
                    }

                    return 0;
                case "--samples" when i + 1 < args.Length && PositiveInt(args[i + 1]) is { } n:
                    settings = settings with { Samples = n };
                    i++;
                    break;
                case "--iterations" when i + 1 < args.Length && PositiveInt(args[i + 1]) is { } n:
                    settings = settings with { Iterations = n };
                    i++;
                    break;
                case "--warmup" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n >= 0:
                    settings = settings with { Warmup = n };
                    i++;
                    break;
                case var a when a.StartsWith('-'):
                    await Console.Error.WriteLineAsync($"Unknown or incomplete option '{a}'.{Environment.NewLine}{Usage}");
                    return 64;
                default:
                    prefixes.Add(args[i]);
                    break;
            }
        }

        var selected = all.Where(b => prefixes.Count == 0 || prefixes.Any(p => b.Name.StartsWith(p, StringComparison.Ordinal))).ToList();
        if (selected.Count == 0)
        {
            await Console.Error.WriteLineAsync(
                $"No benchmark name starts with {string.Join(" or ", prefixes.Select(p => $"'{p}'"))}. Benchmarks: {string.Join(", ", all.Select(b => b.Name))}.");
            return 64;
        }

        if (selected.Any(b => b.NeedsDatabase) && string.IsNullOrWhiteSpace(configuration.GetConnectionString("TicketToken")))
        {
            await Console.Error.WriteLineAsync(
                $"error: {string.Join(", ", selected.Where(b => b.NeedsDatabase).Select(b => b.Name))} need(s) a database. {MissingConnectionMessage}");
            return 2;
        }

#if DEBUG
        await Console.Error.WriteLineAsync("warning: a Debug build; timings are only meaningful with -c Release.");
#endif
        var context = new BenchmarkContext(configuration, settings);
        var failed = 0;
        foreach (var benchmark in selected)
        {
            Console.Error.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
            IReadOnlyList<Figure> figures;
            try
            {
                figures = await benchmark.RunAsync(context, cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("Cancelled.");
                return 130;
            }
            catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: benchmark {benchmark.Name} failed: {e.Message}");
                failed++;
                continue;
            }

            PrintTable(benchmark.Name, figures);
            foreach (var f in figures)
            {
                Console.WriteLine(f.ScriptLine);
            }

            Console.WriteLine();
        }

        return failed == 0 ? 0 : 1;
    }

    private static int? PositiveInt(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static void PrintTable(string title, IReadOnlyList<Figure> figures)
    {
        var nameWidth = Math.Max(6, figures.Max(f => f.Name.Length));
        var valueWidth = Math.Max(5, figures.Max(f => f.FormattedValue.Length));
        var unitWidth = Math.Max(4, figures.Max(f => f.Unit.Length));
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine($"  {"figure".PadRight(nameWidth)}  {"value".PadLeft(valueWidth)}  {"unit".PadRight(unitWidth)}  note");
        Console.WriteLine($"  {new string('-', nameWidth)}  {new string('-', valueWidth)}  {new string('-', unitWidth)}  ----");
        foreach (var f in figures)
        {
            Console.WriteLine($"  {f.Name.PadRight(nameWidth)}  {f.FormattedValue.PadLeft(valueWidth)}  {f.Unit.PadRight(unitWidth)}  {f.Note}");
        }

        Console.WriteLine();
    }
}
