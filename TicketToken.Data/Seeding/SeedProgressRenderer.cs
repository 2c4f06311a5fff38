using Spectre.Console;

namespace TicketToken.Data.Seeding;

/// <summary>Renders a seeding run as a Spectre.Console progress display: one bar per stage (table).</summary>
public static class SeedProgressRenderer
{
    /// <summary>Runs <paramref name="seed"/> under a live progress display on <paramref name="console"/>.</summary>
    public static async Task<SeedReport> RunAsync(IAnsiConsole console, Func<IProgress<SeedProgress>, Task<SeedReport>> seed)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(seed);
        SeedReport? report = null;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var overall = ctx.AddTask("[bold]seeding[/]", maxValue: 1);
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var progress = new InlineProgress(p =>
                {
                    lock (tasks)
                    {
                        if (p.StageCount > 0)
                        {
                            overall.MaxValue = p.StageCount;
                            overall.Value = Math.Max(overall.Value, p.StageIndex - (p.Done >= p.Total && p.Total > 0 ? 0 : 1));
                        }

                        if (!tasks.TryGetValue(p.Stage, out var task))
                        {
                            tasks[p.Stage] = task = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(1, p.Total));
                        }

                        task.MaxValue = Math.Max(1, Math.Max(p.Total, p.Done));
                        task.Value = p.Done;
                        if (p.Total > 0 && p.Done >= p.Total)
                        {
                            task.StopTask();
                        }
                    }
                });
                report = await seed(progress);
                overall.Value = overall.MaxValue;
            });

        var table = new Table().AddColumns("table", "rows");
        foreach (var (name, rows) in report!.RowsPerTable.OrderByDescending(kv => kv.Value).Take(15))
        {
            table.AddRow(Markup.Escape(name), rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(table);
        if (report.SlowestPhases(12).ToList() is { Count: > 0 } slowest)
        {
            // Where a long run spent its time: the slowest parts, with their rate where they wrote rows.
            var phases = new Table().AddColumns("slowest parts", "seconds", "rows/s");
            foreach (var phase in slowest)
            {
                var rate = phase.RowsPerSecond?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "";
                phases.AddRow(Markup.Escape(phase.Name), phase.Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture), rate);
            }

            console.Write(phases);
        }

        console.MarkupLine(report.AlreadySeeded
            ? "[yellow]The database was already seeded: nothing written.[/]"
            : $"[green]Seeded {report.RowsWritten:N0} rows in {report.Elapsed.TotalSeconds:F1} s.[/]");
        return report;
    }

    /// <summary>Reports synchronously on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<SeedProgress> report) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value) => report(value);
    }
}
