using Microsoft.Extensions.Time.Testing;
using TicketToken.Portal.Cli;

namespace TicketToken.Tests.Data.Seeding;

/// <summary><c>db seed --anchor</c>: the day the demo data is dated around (what a seed with another anchor writes is in <see cref="PlatformSeederTests"/>).</summary>
public sealed class SeedAnchorTests
{
    [Theory]
    [InlineData(null, null, "")]
    [InlineData("2026-11-02", "2026-11-02T12:00:00Z", "")]
    [InlineData("TODAY", "2026-11-25T23:00:00Z", "")]
    [InlineData("02/11/2026", null, "--anchor must be a date written yyyy-mm-dd, or 'today', not '02/11/2026'.")]
    [InlineData("2026-02-30", null, "--anchor must be a date written yyyy-mm-dd, or 'today', not '2026-02-30'.")]
    [InlineData("1999-12-31", null, "--anchor must be a date between 2000 and 2100, not '1999-12-31'.")]
    public void The_anchor_option_reads_a_day_or_today_and_explains_what_it_refuses(string? text, string? expected, string error)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 23, 59, 0, TimeSpan.Zero));

        var ok = DatabaseCommands.TryParseAnchor(text, clock, out var anchor, out var message);

        Assert.Equal(error.Length == 0, ok);
        Assert.Equal(error, message);
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime, anchor);
        Assert.True(anchor is null || anchor.Value.Kind == DateTimeKind.Utc);
    }
}
