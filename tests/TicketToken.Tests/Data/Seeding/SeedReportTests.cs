using TicketToken.Data.Seeding;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>What a seeding run reports about where its time went.</summary>
public sealed class SeedReportTests
{
    private static SeedReport Report(TimeSpan elapsed, bool alreadySeeded = false) =>
        new(alreadySeeded, Guid.NewGuid(), [], new Dictionary<string, long>(), elapsed)
        {
            Phases =
            [
                new SeedPhase("orders (copy)", TimeSpan.FromSeconds(39.6), 1_000_000),
                new SeedPhase("tickets (20 indexes)", TimeSpan.FromSeconds(25.64), 0),
                new SeedPhase("users (copy)", TimeSpan.FromSeconds(1.2), 100_000),
            ],
        };

    [Fact]
    public void A_long_run_lists_its_slowest_parts_each_on_one_line_with_its_rate_where_it_wrote_rows()
    {
        var lines = Report(TimeSpan.FromSeconds(178)).SlowestPhases(2).Select(p => p.Line).ToList();

        Assert.Equal(["orders (copy): 39.6 s (25,253 rows/s)", "tickets (20 indexes): 25.6 s"], lines);
    }

    [Fact]
    public void A_short_run_or_one_that_found_the_data_already_there_lists_none()
    {
        Assert.Empty(Report(TimeSpan.FromSeconds(4)).SlowestPhases(12));
        Assert.Empty(Report(TimeSpan.FromSeconds(178), alreadySeeded: true).SlowestPhases(12));
    }
}
