using Bunit;
using TicketToken.Portal.Components.Support;
using TicketToken.Portal.Support;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

public sealed class OrderTimelineTests : PortalComponentTest
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly TimelineEntry[] Entries =
    [
        new(T0, TimelineKind.Order, "Order TT1 placed"),
        new(T0.AddMinutes(1), TimelineKind.Payment, "Payment ticket purchase $144.00", Status: "completed"),
        new(T0.AddDays(1), TimelineKind.Transfer, "Ticket 1 transferred to Frankie"),
        new(T0.AddDays(2), TimelineKind.Refund, "Refund $25.00 (partial)", Status: "PENDING"),
        new(T0.AddDays(2).AddHours(1), TimelineKind.Refund, "Payment refund $25.00", Status: "pending"),
        new(T0.AddDays(3), TimelineKind.Scan, "Ticket 2 scanned at the door", Status: "valid"),
    ];

    private IRenderedComponent<OrderTimeline> RenderTimeline() => Render<OrderTimeline>(p => p.Add(c => c.Entries, Entries));

    private static List<string> Kinds(IRenderedComponent<OrderTimeline> cut) =>
        [.. cut.FindAll("[data-test=timeline-entry]").Select(e => e.GetAttribute("data-kind")!)];

    [Fact]
    public void Everything_shows_in_time_order_with_a_filter_per_kind_present()
    {
        var cut = RenderTimeline();

        Assert.Equal(["order", "payment", "transfer", "refund", "refund", "scan"], Kinds(cut));
        Assert.Equal(5, cut.FindAll("[data-test^=timeline-filter-]").Count - 1);
        Assert.Contains("All (6)", cut.Find("[data-test=timeline-filter-all]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Refund (2)", cut.Find("[data-test=timeline-filter-refund]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-test=timeline-filter-chargeback]"));
    }

    [Fact]
    public void Choosing_kinds_narrows_the_timeline_and_all_restores_it()
    {
        var cut = RenderTimeline();

        cut.Find("[data-test=timeline-filter-refund]").Click();
        Assert.Equal(["refund", "refund"], Kinds(cut));
        Assert.Equal("true", cut.Find("[data-test=timeline-filter-refund]").GetAttribute("aria-pressed"));

        cut.Find("[data-test=timeline-filter-scan]").Click();
        Assert.Equal(["refund", "refund", "scan"], Kinds(cut));

        cut.Find("[data-test=timeline-filter-refund]").Click();
        Assert.Equal(["scan"], Kinds(cut));

        cut.Find("[data-test=timeline-filter-all]").Click();
        Assert.Equal(6, Kinds(cut).Count);
        Assert.Equal("false", cut.Find("[data-test=timeline-filter-scan]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Times_show_in_the_given_zone_with_utc_in_the_title()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("test+2", TimeSpan.FromHours(2), "test+2", "test+2");
        var cut = Render<OrderTimeline>(p => p.Add(c => c.Entries, Entries).Add(c => c.Zone, zone));

        var first = cut.FindAll("[data-test=timeline-entry] td")[0];
        Assert.Equal("2026-11-01 12:00", first.TextContent.Trim());
        Assert.Equal("2026-11-01 10:00:00 UTC", first.GetAttribute("title"));
    }

    [Fact]
    public void An_empty_story_says_so()
    {
        var cut = Render<OrderTimeline>(p => p.Add(c => c.Entries, Array.Empty<TimelineEntry>()));

        Assert.NotNull(cut.Find("[data-test=timeline-empty]"));
    }
}
