using Microsoft.Extensions.Time.Testing;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Support;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

/// <summary>The order story and a refund on the demo seed ('db seed --scale demo'), not only on hand-made rows.</summary>
public sealed class OrderStoryDemoSeedTests(OrderStoryDemoSeedTests.Seeded fixture) : IClassFixture<OrderStoryDemoSeedTests.Seeded>
{
    public sealed class Seeded : IAsyncLifetime
    {
        public PortalAppFactory App { get; } = new();

        public async ValueTask InitializeAsync()
        {
            await App.InitializeAsync();
            await App.SeedEverythingAsync();
        }

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    private static readonly PortalActorInfo Agent = new(Guid.NewGuid(), "agent@example.test", "127.0.0.1");

    public static TheoryData<string, string> Orders() => new()
    {
        { "refund", "SELECT order_id FROM public.order_refunds ORDER BY order_id LIMIT 1" },
        { "chargeback", "SELECT t.order_id FROM public.payment_chargebacks c JOIN public.payment_transactions t ON t.id = c.transaction_id ORDER BY c.id LIMIT 1" },
        { "resale", "SELECT o.id FROM public.marketplace_transfers mt JOIN public.marketplace_listings l ON l.id = mt.listing_id JOIN public.tickets t ON t.id = l.ticket_id JOIN public.orders o ON o.payment_intent_id = t.payment_id ORDER BY mt.id LIMIT 1" },
        { "scan", "SELECT o.id FROM public.ticket_scans s JOIN public.tickets t ON t.id = s.ticket_id JOIN public.orders o ON o.payment_intent_id = t.payment_id ORDER BY s.id LIMIT 1" },
        { "nft", "SELECT o.id FROM public.nft_mints m JOIN public.tickets t ON t.id = m.ticket_id JOIN public.orders o ON o.payment_intent_id = t.payment_id ORDER BY m.id LIMIT 1" },
        { "bounced email", "SELECT (metadata->>'order_id')::uuid FROM public.notification_history WHERE status = 'bounced' AND metadata ? 'order_id' ORDER BY id LIMIT 1" },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task A_demo_order_tells_its_story_in_at_most_ten_commands(string kind, string pick)
    {
        var orderId = await SupportOrderRows.ScalarAsync<Guid>(fixture.App.DatabaseName, pick);
        var services = new SupportServices(fixture.App.DatabaseName, Agent);

        var story = await services.Story().LoadAsync(orderId, SupportOrderRows.Agent, TestContext.Current.CancellationToken);

        Assert.NotNull(story);
        Assert.True(services.Counter.Count <= 10, $"{services.Counter.Count} commands");
        Assert.Equal(story.Order.TicketQuantity, story.Tickets.Count);
        var expected = kind switch
        {
            "refund" => TimelineKind.Refund,
            "chargeback" => TimelineKind.Chargeback,
            "resale" => TimelineKind.Resale,
            "scan" => TimelineKind.Scan,
            "bounced email" => TimelineKind.Notification,
            _ => TimelineKind.Nft,
        };
        Assert.Contains(story.Timeline, e => e.Kind == expected);

        // Every paid demo order sent its confirmation email, which the timeline shows with its delivery status.
        if (story.Order.Status is "COMPLETED" or "CONFIRMED" or "REFUNDED")
        {
            Assert.Contains(story.Timeline, e => e.Kind == TimelineKind.Notification && e.Title.StartsWith("Your tickets for ", StringComparison.Ordinal));
        }

        if (kind == "bounced email")
        {
            Assert.Contains(story.Timeline, e => e.Kind == TimelineKind.Notification && e.Detail is { } d && d.Contains("mailbox unavailable", StringComparison.Ordinal));
        }
        Assert.NotNull(story.Customer);
    }

    [Fact]
    public async Task A_paid_demo_order_can_be_refunded_in_part_within_its_policy()
    {
        var db = fixture.App.DatabaseName;
        var services = new SupportServices(db, Agent);
        var ct = TestContext.Current.CancellationToken;
        var story = await RefundableAsync(services, db, "", ct);
        var orderId = story.Order.Id;

        var outcome = await services.Actions().RefundAsync(
            new RefundRequest(new OrderCommand(orderId, story.TenantId, Guid.NewGuid(), "CUSTOMER_REQUEST"), RefundKind.Partial, 100), SupportOrderRows.Agent, ct);

        // The demo's events have taken place, so its policies' windows have closed: a refund is a policy exception and waits for approval.
        Assert.True(story.Allowance.Allowed, story.Allowance.Explanation);
        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(story.Allowance.Exception || 100 > services.Actions().ApprovalThresholdCents, outcome.AwaitingApproval);
        var after = (await services.Story().LoadAsync(orderId, SupportOrderRows.Agent, ct))!;
        Assert.Equal(story.Money.ReservedCents + 100, after.Money.ReservedCents);
        Assert.Contains(after.Timeline, e => e.Kind == TimelineKind.Refund && e.Title.StartsWith("Refund $1.00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_the_day_the_demo_is_dated_around_a_small_refund_of_an_upcoming_events_order_needs_no_approval()
    {
        // What './tt run' relies on when it seeds around today: the events after that day still have open refund windows.
        var db = fixture.App.DatabaseName;
        var anchor = new TicketToken.Data.Seeding.SeedOptions(TicketToken.Data.Seeding.SeedScale.Demo).AnchorUtc;
        var services = new SupportServices(db, Agent, clock: new FakeTimeProvider(anchor));
        var ct = TestContext.Current.CancellationToken;
        var open = await RefundableAsync(services, db,
            $"AND EXISTS (SELECT 1 FROM public.event_schedules s WHERE s.event_id = o.event_id AND s.starts_at > '{anchor.AddDays(30):O}')", ct,
            withinPolicy: true);
        var outcome = await services.Actions().RefundAsync(
            new RefundRequest(new OrderCommand(open.Order.Id, open.TenantId, Guid.NewGuid(), "CUSTOMER_REQUEST"), RefundKind.Partial, 100), SupportOrderRows.Agent, ct);
        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.False(outcome.AwaitingApproval, outcome.Message);
        Assert.Equal("PENDING", await SupportOrderRows.ScalarAsync<string>(db, $"SELECT refund_status FROM public.order_refunds WHERE id = '{outcome.RecordId}'"));
    }

    /// <summary>
    /// The newest paid demo order without refunds whose policy still allows at least $1.00 (a policy's flat fee can take
    /// a small order's whole allowance). Tests in this class refund orders, so none relies on one particular order.
    /// </summary>
    private static async Task<OrderStoryView> RefundableAsync(SupportServices services, string db, string condition, CancellationToken ct, bool withinPolicy = false)
    {
        var candidates = await SupportOrderRows.ScalarAsync<Guid[]>(db, $"""
            SELECT coalesce(array_agg(id), CAST(ARRAY[] AS uuid[])) FROM (SELECT o.id FROM public.orders o
              JOIN public.payment_transactions t ON t.order_id = o.id AND t.status = 'completed'
            WHERE NOT EXISTS (SELECT 1 FROM public.order_refunds r WHERE r.order_id = o.id) AND o.refund_locked IS NOT TRUE {condition}
            ORDER BY o.created_at DESC LIMIT 20) c
            """) ?? [];
        var seen = new List<string>();
        foreach (var id in candidates)
        {
            var story = (await services.Story().LoadAsync(id, SupportOrderRows.Agent, ct))!;
            if (story.AvailableCents >= 100 && !(withinPolicy && story.Allowance.Exception))
            {
                return story;
            }

            seen.Add(story.Allowance.Explanation);
        }

        Assert.Fail($"None of {candidates.Length} paid demo orders allows a $1.00 refund{(withinPolicy ? " within its policy" : "")}: {string.Join(" | ", seen)}");
        return null!;
    }
}
