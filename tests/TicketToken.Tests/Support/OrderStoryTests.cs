using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Support;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

public sealed class OrderStoryTests() : TemplateDatabaseTest("tt_story")
{
    private static readonly PortalActorInfo Agent = new(Guid.NewGuid(), "agent@example.test", "127.0.0.1");

    [Fact]
    public async Task The_whole_story_loads_in_at_most_ten_commands_however_many_tickets()
    {
        var small = await SupportOrderRows.CreateAsync(Database, "story-small");
        var large = await SupportOrderRows.CreateAsync(Database, "story-large", extraTickets: 25);
        var services = new SupportServices(Database, Agent);
        var ct = TestContext.Current.CancellationToken;

        services.Counter.Reset();
        var smallStory = await services.Story().LoadAsync(small.Order, SupportOrderRows.Agent, ct);
        var smallCount = services.Counter.Count;
        services.Counter.Reset();
        var largeStory = await services.Story().LoadAsync(large.Order, SupportOrderRows.Agent, ct);
        var largeCount = services.Counter.Count;

        Assert.NotNull(smallStory);
        Assert.NotNull(largeStory);
        Assert.Equal(3, smallStory.Tickets.Count);
        Assert.Equal(28, largeStory.Tickets.Count);
        Assert.True(largeCount <= 10, $"{largeCount} commands: {string.Join(" | ", services.Counter.Commands)}");
        Assert.Equal(smallCount, largeCount);
    }

    [Fact]
    public async Task The_story_has_header_money_holders_and_a_timeline_in_time_order()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "story-full");
        var services = new SupportServices(Database, Agent);

        var story = await services.Story().LoadAsync(s.Order, SupportOrderRows.Agent, TestContext.Current.CancellationToken);

        Assert.NotNull(story);
        Assert.Equal(s.OrderNumber, story.Order.OrderNumber);
        Assert.Equal("Test Concert", story.Document.Event!.Name);
        Assert.Equal("Test Hall", story.Document.Venue!.Name);
        Assert.Equal("story-full", story.Document.Tenant!.Slug);
        Assert.Equal(s.CustomerEmail, story.Customer!.Email);
        Assert.Equal(14400, story.Money.PaidCents);
        Assert.Equal(2, story.Document.Items.Count);
        var transferred = story.Tickets.Single(t => t.Ticket.Id == s.Tickets[0]);
        Assert.Contains("Frankie Friend", transferred.Holder, StringComparison.Ordinal);
        Assert.Equal("transfer", transferred.HeldBy);
        Assert.Contains("NFT owned by wallet", story.Tickets.Single(t => t.Ticket.Id == s.Tickets[1]).HeldBy, StringComparison.Ordinal);
        var kinds = story.Timeline.Select(e => e.Kind).ToHashSet();
        Assert.Superset(new HashSet<TimelineKind> { TimelineKind.Order, TimelineKind.Payment, TimelineKind.Ticket, TimelineKind.Transfer, TimelineKind.Scan, TimelineKind.Nft }, kinds);
        Assert.Contains(story.Timeline, e => e is { Kind: TimelineKind.Payment, Status: "failed" });
        Assert.Equal(story.Timeline.OrderBy(e => e.At).Select(e => e.At), story.Timeline.Select(e => e.At));
    }

    [Fact]
    public async Task Reading_a_story_is_recorded_as_a_cross_tenant_read()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "story-audit");
        var services = new SupportServices(Database, Agent);

        await services.Story().LoadAsync(s.Order, SupportOrderRows.Agent, TestContext.Current.CancellationToken);

        Assert.Equal(1, await SupportOrderRows.CountAsync(Database,
            "SELECT count(*) FROM portal.audit_log WHERE action = @a AND reason LIKE '%' || @o || '%'",
            ("a", CrossTenantAccess.AuditAction), ("o", s.Order.ToString())));
    }

    [Fact]
    public async Task An_unknown_order_is_null_not_an_error()
    {
        var services = new SupportServices(Database, Agent);

        Assert.Null(await services.Story().LoadAsync(Guid.NewGuid(), SupportOrderRows.Agent, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(PortalRoles.VenueManager)]
    [InlineData(PortalRoles.ComplianceOfficer)]
    public async Task Other_roles_cannot_read_a_story(string role)
    {
        var s = await SupportOrderRows.CreateAsync(Database, "story-deny-" + role.ToLowerInvariant());
        var services = new SupportServices(Database, Agent);

        await Assert.ThrowsAsync<SupportAccessDeniedException>(() =>
            services.Story().LoadAsync(s.Order, SupportOrderRows.User(role), TestContext.Current.CancellationToken));
        Assert.Equal(0, await SupportOrderRows.CountAsync(Database,
            "SELECT count(*) FROM portal.audit_log WHERE reason LIKE '%' || @o || '%'", ("o", s.Order.ToString())));
    }

    [Fact]
    public async Task Finance_reads_the_story()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "story-finance");
        var services = new SupportServices(Database, Agent);

        var story = await services.Story().LoadAsync(s.Order, SupportOrderRows.User(PortalRoles.FinanceAnalyst), TestContext.Current.CancellationToken);

        Assert.NotNull(story);
    }
}
