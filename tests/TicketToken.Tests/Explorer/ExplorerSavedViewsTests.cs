using Microsoft.Extensions.DependencyInjection;
using TicketToken.Data.Portal;
using TicketToken.Portal.Explorer;

namespace TicketToken.Tests.Explorer;

[Collection(ViewsAndExportsCollection.Name)]
public sealed class ExplorerSavedViewsTests(SeededExplorerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ExplorerSavedViews Views => fixture.App.Services.CreateScope().ServiceProvider.GetRequiredService<ExplorerSavedViews>();

    [Fact]
    public async Task A_user_lists_their_own_views_and_views_shared_with_their_roles_only()
    {
        var admin = await fixture.UserAsync("admin@demo.local");
        var support = await fixture.UserAsync("support@demo.local");
        var finance = await fixture.UserAsync("finance@demo.local");
        var orders = fixture.Table("order", "orders");
        var tickets = fixture.Table("ticket", "tickets");

        var secret = await Views.SaveAsync(orders, GridState.Parse("?f.status=eq:PENDING&page=7&after=abc"), "Admin only", null, admin, Ct);
        var shared = await Views.SaveAsync(orders, GridState.Parse("?sort=total_cents.desc"), "Big orders", PortalRoles.SupportAgent, admin, Ct);
        var otherTable = await Views.SaveAsync(tickets, GridState.Parse(""), "Big orders", PortalRoles.SupportAgent, admin, Ct);
        var supportOwn = await Views.SaveAsync(orders, GridState.Parse("?q=TT"), "Mine", null, support, Ct);
        Assert.All([secret, shared, otherTable, supportOwn], r => Assert.True(r.Succeeded, r.Error));

        // The page position is not part of a view.
        Assert.Equal("?f.status=eq%3APENDING", secret.View!.Query);
        Assert.Equal("/explorer/order/orders?f.status=eq%3APENDING", secret.View.Path);

        var adminSees = await Views.ListAsync(orders, admin, Ct);
        Assert.Equal(["Admin only", "Big orders"], adminSees.Select(v => v.Name).Order(StringComparer.Ordinal));
        Assert.All(adminSees, v => Assert.True(v.IsMine));

        var supportSees = await Views.ListAsync(orders, support, Ct);
        Assert.Equal(["Mine", "Big orders"], supportSees.Select(v => v.Name));
        Assert.False(supportSees.Single(v => v.Name == "Big orders").IsMine);

        Assert.Empty(await Views.ListAsync(orders, finance, Ct));
        Assert.Null(await Views.FindAsync(orders, secret.View.Id, support, Ct));
        Assert.Null(await Views.FindAsync(orders, shared.View!.Id, finance, Ct));
        Assert.NotNull(await Views.FindAsync(orders, shared.View.Id, support, Ct));
        // An id of another table's view does not open here.
        Assert.Null(await Views.FindAsync(orders, otherTable.View!.Id, admin, Ct));
    }

    [Fact]
    public async Task Only_the_owner_renames_or_deletes_a_view_even_one_shared_with_them()
    {
        var admin = await fixture.UserAsync("admin@demo.local");
        var support = await fixture.UserAsync("support@demo.local");
        var payments = fixture.Table("payment", "payment_transactions");
        var view = (await Views.SaveAsync(payments, GridState.Parse("?f.status=eq:failed"), "Failed payments", PortalRoles.SupportAgent, admin, Ct)).View!;

        Assert.Equal("Only your own views can be changed.", (await Views.RenameAsync(payments, view.Id, "Hijacked", support, Ct)).Error);
        Assert.Equal("Only your own views can be changed.", (await Views.EditAsync(payments, view.Id, "Failed payments", PortalRoles.FinanceAnalyst, support, Ct)).Error);
        Assert.Equal("Only your own views can be deleted.", (await Views.DeleteAsync(payments, view.Id, support, Ct)).Error);
        Assert.Equal("Failed payments", (await Views.FindAsync(payments, view.Id, admin, Ct))!.Name);

        var renamed = await Views.RenameAsync(payments, view.Id, "  Declined payments ", admin, Ct);
        Assert.True(renamed.Succeeded, renamed.Error);
        Assert.Equal("Declined payments", (await Views.FindAsync(payments, view.Id, support, Ct))!.Name);

        // Sharing changes after saving: from support to finance, then to nobody; a made-up role is refused.
        var finance = await fixture.UserAsync("finance@demo.local");
        Assert.Equal("'Hacker' is not a portal role.", (await Views.EditAsync(payments, view.Id, "Declined payments", "Hacker", admin, Ct)).Error);
        Assert.True((await Views.EditAsync(payments, view.Id, "Declined payments", PortalRoles.FinanceAnalyst, admin, Ct)).Succeeded);
        Assert.Null(await Views.FindAsync(payments, view.Id, support, Ct));
        Assert.Equal(PortalRoles.FinanceAnalyst, (await Views.FindAsync(payments, view.Id, finance, Ct))!.SharedWithRole);
        Assert.True((await Views.EditAsync(payments, view.Id, "Declined payments", null, admin, Ct)).Succeeded);
        Assert.Null(await Views.FindAsync(payments, view.Id, finance, Ct));
        Assert.NotNull(await Views.FindAsync(payments, view.Id, admin, Ct));

        Assert.True((await Views.DeleteAsync(payments, view.Id, admin, Ct)).Succeeded);
        Assert.Null(await Views.FindAsync(payments, view.Id, admin, Ct));
        Assert.Equal(0, await fixture.ScalarAsync<long>($"SELECT count(*) FROM portal.explorer_saved_views WHERE id = '{view.Id}'"));
    }

    [Fact]
    public async Task Names_are_required_and_unique_per_user_and_table_and_a_refused_save_changes_nothing()
    {
        var admin = await fixture.UserAsync("admin@demo.local");
        var support = await fixture.UserAsync("support@demo.local");
        var events = fixture.Table("event", "events");
        var venues = fixture.Table("venue", "venues");
        var state = GridState.Parse("?sort=name.asc");
        Assert.True((await Views.SaveAsync(events, state, "By name", null, admin, Ct)).Succeeded);
        var before = await fixture.ScalarAsync<long>("SELECT count(*) FROM portal.explorer_saved_views");

        Assert.Equal("Give the view a name.", (await Views.SaveAsync(events, state, "   ", null, admin, Ct)).Error);
        Assert.Equal("Give the view a name.", (await Views.SaveAsync(events, state, null, null, admin, Ct)).Error);
        Assert.Equal("You already have a view named 'By name' for this table.", (await Views.SaveAsync(events, state, " By name ", null, admin, Ct)).Error);
        Assert.Contains("at most 100 characters", (await Views.SaveAsync(events, state, new string('x', 101), null, admin, Ct)).Error, StringComparison.Ordinal);
        Assert.Equal("'Janitor' is not a portal role.", (await Views.SaveAsync(events, state, "Shared", "Janitor", admin, Ct)).Error);
        Assert.Equal(before, await fixture.ScalarAsync<long>("SELECT count(*) FROM portal.explorer_saved_views"));

        // The same name is fine on another table and for another user.
        Assert.True((await Views.SaveAsync(venues, state, "By name", null, admin, Ct)).Succeeded);
        Assert.True((await Views.SaveAsync(events, state, "By name", null, support, Ct)).Succeeded);

        var second = (await Views.SaveAsync(events, state, "Second", null, admin, Ct)).View!;
        Assert.Equal("You already have a view named 'By name' for this table.", (await Views.RenameAsync(events, second.Id, "By name", admin, Ct)).Error);
        Assert.Equal("Give the view a name.", (await Views.RenameAsync(events, second.Id, "", admin, Ct)).Error);
        Assert.Equal("Second", (await Views.FindAsync(events, second.Id, admin, Ct))!.Name);
    }

    [Fact]
    public async Task A_shared_view_runs_under_the_viewers_own_permissions()
    {
        var admin = await fixture.UserAsync("admin@demo.local");
        var venue = await fixture.UserAsync("venue@demo.local");
        var events = fixture.Table("event", "events");
        var view = (await Views.SaveAsync(events, GridState.Parse("?sort=name.asc&size=200"), "All events by name", PortalRoles.VenueManager, admin, Ct)).View!;

        var opened = await Views.FindAsync(events, view.Id, venue, Ct);
        Assert.NotNull(opened);
        var asAdmin = await fixture.Data(admin).LoadPageAsync(events, GridState.Parse(opened.Query), admin, Ct);
        var asVenue = await fixture.Data(venue).LoadPageAsync(events, GridState.Parse(opened.Query), venue, Ct);

        var venueId = venue.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value;
        var own = await fixture.ScalarAsync<long>(
            $"SELECT count(*) FROM public.events e WHERE e.venue_id IN (SELECT venue_id FROM portal.user_venues WHERE user_id = '{venueId}')");
        Assert.Equal(own, asVenue.Total);
        Assert.True(asAdmin.Total > asVenue.Total);

        // A role that cannot read the table cannot save a view of it either.
        var compliance = await fixture.UserAsync("compliance@demo.local");
        Assert.Contains("don't include reading", (await Views.SaveAsync(fixture.Table("order", "orders"), GridState.Parse(""), "x", null, compliance, Ct)).Error, StringComparison.Ordinal);
    }
}
