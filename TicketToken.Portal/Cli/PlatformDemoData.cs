using Npgsql;
using Spectre.Console;
using TicketToken.Data.Seeding;

namespace TicketToken.Portal.Cli;

/// <summary>Seeds the platform's tables with coherent demo data (idempotent), with a progress bar in the terminal.</summary>
internal static class PlatformDemoData
{
    public sealed record DemoVenues(Guid TenantId, IReadOnlyList<Guid> VenueIds);

    public static async Task<DemoVenues?> SeedAsync(string adminConnectionString, SeedOptions options, bool showProgress, List<string> log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var dataSource = NpgsqlDataSource.Create(adminConnectionString);
        var seeder = new PlatformSeeder(dataSource);
        var report = showProgress
            ? await SeedProgressRenderer.RunAsync(AnsiConsole.Console, progress => seeder.SeedAsync(options, progress, ct))
            : await seeder.SeedAsync(options, null, ct);
        log.Add(report.AlreadySeeded
            ? "platform data: already seeded, nothing written"
            : $"platform data: {report.RowsWritten:N0} rows in {report.Elapsed.TotalSeconds:F1} s, dated around {options.AnchorUtc:yyyy-MM-dd HH:mm} UTC (seed {options.Seed})" +
              (report.Streams > 1 ? $", bulk tables loaded on {report.Streams} connections" : "") +
              (report.UndoneRuns > 0 ? $"; first undid {report.UndoneRuns} unfinished earlier run(s)" : ""));
        if (!showProgress)
        {
            // The progress display prints these itself; a redirected run lists where the time went.
            log.AddRange(report.SlowestPhases(12).Select(p => "  " + p.Line));
        }

        return new DemoVenues(report.DemoTenantId, report.DemoVenueIds);
    }
}
