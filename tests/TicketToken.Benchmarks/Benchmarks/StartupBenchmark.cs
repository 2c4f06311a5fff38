using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using TicketToken.Benchmarks.Harness;
using TicketToken.CompiledModels;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// Cold start to the first query, in fresh processes: configure <see cref="PlatformDbContext"/> as the portal does,
/// get its model (346 entity types) and read one row of <c>tenants</c>; with the compiled model
/// (<c>TicketToken.Data/CompiledModels</c>) and without it (<c>TT_EF_COMPILED_MODEL=0</c>: built from
/// <c>OnModelCreating</c>). One untimed process per variant first (disk cache), then the variants alternate.
/// </summary>
public sealed class StartupBenchmark : IChildProcessBenchmark
{
    private static readonly (string Name, string Flag, bool Compiled)[] Variants =
        [("compiled", "1", true), ("runtime", "0", false)];

    public string Name => "startup";

    public string Description => "cold start to the first query, with and without the EF compiled model (fresh processes)";

    public bool NeedsDatabase => true;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = Variants.ToDictionary(v => v.Name, _ => new List<ChildProcess.Result>());
        for (var round = 0; round <= context.Settings.Samples; round++)
        {
            foreach (var variant in Variants)
            {
                var result = await ChildProcess.RunAsync(
                    Name,
                    [variant.Name],
                    new Dictionary<string, string> { [DataServiceCollectionExtensions.CompiledModelVariable] = variant.Flag },
                    cancellationToken);
                if (result.Values["compiled"] != (variant.Compiled ? 1 : 0))
                {
                    throw new InvalidOperationException(
                        $"The '{variant.Name}' child ran {(variant.Compiled ? "without" : "with")} the compiled model. " +
                        "An [assembly: DbContextModel] attribute (PlatformDbContextAssemblyAttributes.cs from 'dotnet ef dbcontext optimize') " +
                        "makes EF find the compiled model on its own; delete it (TicketToken.Data/Codegen/README.md).");
                }

                var label = round == 0 ? "warm-up, not counted" : $"sample {round}/{context.Settings.Samples}";
                BenchmarkContext.Log(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{variant.Name,-8} {label}: {result.WallMs:0} ms to the first row (model {result.Values["model_ms"]:0} ms, first query {result.Values["first_query_ms"]:0} ms)"));
                if (round > 0)
                {
                    results[variant.Name].Add(result);
                }
            }
        }

        var figures = new List<Figure>();
        var cold = new Dictionary<string, Stats>();
        foreach (var (name, _, _) in Variants)
        {
            var samples = results[name];
            cold[name] = new Stats(samples.Select(r => r.WallMs), "ms");
            var model = new Stats(samples.Select(r => r.Values["model_ms"]), "ms");
            var query = new Stats(samples.Select(r => r.Values["first_query_ms"]), "ms");
            figures.Add(new Figure($"startup.cold.{name}.ms", cold[name].Median, "ms",
                Note($"process start to first row, median of {cold[name].Count}", cold[name])));
            figures.Add(new Figure($"startup.model.{name}.ms", model.Median, "ms", Note("configure options + get the model (in process)", model)));
            figures.Add(new Figure($"startup.first-query.{name}.ms", query.Median, "ms", Note("first query: compile, connect, read", query)));
        }

        figures.Add(new Figure("startup.compiled.ratio", cold["compiled"].Median / cold["runtime"].Median, "x",
            "cold start with the compiled model / without (below 1: it pays)"));
        figures.Add(new Figure("startup.compiled.saved.ms", cold["runtime"].Median - cold["compiled"].Median, "ms",
            "median cold start saved by the compiled model"));
        figures.Add(new Figure("startup.entity-types", results["compiled"][0].Values["entity_types"], "count", "entity types in the model"));
        return figures;
    }

    private static string Note(string what, Stats stats) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} (min {stats.Min:0}, max {stats.Max:0})");

    public async Task<int> RunChildAsync(BenchmarkContext context, string[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = Stopwatch.GetTimestamp();
        var options = context.PlatformOptions();
        await using var db = new PlatformDbContext(options);
        var model = db.Model;
        var modelMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        var queryStart = Stopwatch.GetTimestamp();
        var tenant = await db.Tenants.AsNoTracking().OrderBy(t => t.Id).FirstOrDefaultAsync(cancellationToken);
        var queryMs = Stopwatch.GetElapsedTime(queryStart).TotalMilliseconds;

        ChildProcess.Report(new Dictionary<string, double>
        {
            ["model_ms"] = modelMs,
            ["first_query_ms"] = queryMs,
            ["compiled"] = model is PlatformDbContextModel ? 1 : 0,
            ["entity_types"] = model.GetEntityTypes().Count(),
            ["rows"] = tenant is null ? 0 : 1,
        });
        return 0;
    }
}
