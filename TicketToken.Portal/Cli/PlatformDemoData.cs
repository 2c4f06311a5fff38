namespace TicketToken.Portal.Cli;

/// <summary>Seeds the platform's tables (filled in when the platform seeder lands).</summary>
internal static class PlatformDemoData
{
    public sealed record DemoVenues(Guid TenantId, IReadOnlyList<Guid> VenueIds);

    public static Task<DemoVenues?> SeedAsync(string adminConnectionString, string scale, int seed, List<string> log, CancellationToken ct)
    {
        log.Add($"platform data: no platform seeder in this build (scale {scale}, seed {seed})");
        return Task.FromResult<DemoVenues?>(null);
    }
}
