using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TicketToken.Data.Portal;
using TicketToken.Portal.Components.Explorer;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>The saved-views menu rendered with bUnit over the real service and database.</summary>
[Collection(ViewsAndExportsCollection.Name)]
public sealed class SavedViewsMenuTests : PortalComponentTest
{
    private readonly SeededExplorerFixture fixture;

    public SavedViewsMenuTests(SeededExplorerFixture fixture)
    {
        this.fixture = fixture;
        Services.AddSingleton(fixture.App.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<ExplorerSavedViews>();
    }

    private async Task<ClaimsPrincipal> SignInAsAsync(string email)
    {
        var user = await fixture.UserAsync(email);
        SignIn(user);
        return user;
    }

    [Fact]
    public async Task Saving_lists_the_view_and_a_bad_name_gets_a_message_and_keeps_the_input()
    {
        await SignInAsAsync("support@demo.local");
        var table = fixture.Table("order", "order_items");
        Render<MudPopoverProvider>();
        var cut = Render<SavedViewsMenu>(p => p.Add(c => c.Table, table).Add(c => c.State, GridState.Parse("?sort=created_at.asc&page=4")));

        cut.Find("[data-test=saved-views-toggle]").Click();
        cut.WaitForElement("[data-test=saved-views-empty]");

        var name = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Save this view as");
        await cut.InvokeAsync(() => name.Instance.ValueChanged.InvokeAsync("   "));
        cut.Find("[data-test=save-view]").Click();
        cut.WaitForAssertion(() => Assert.Equal("Give the view a name.", cut.Find("[data-test=saved-views-message]").TextContent));
        Assert.Empty(cut.FindAll("[data-test=saved-view]"));

        await cut.InvokeAsync(() => name.Instance.ValueChanged.InvokeAsync("Oldest items"));
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync(PortalRoles.FinanceAnalyst));
        cut.Find("[data-test=save-view]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Saved 'Oldest items'.", cut.Find("[data-test=saved-views-message]").TextContent));
        var item = cut.Find("[data-test=saved-view]");
        Assert.Equal("Oldest items", item.GetAttribute("data-view"));
        Assert.Equal("true", item.GetAttribute("data-mine"));
        Assert.Equal("/explorer/order/order_items?sort=created_at.asc", cut.Find("[data-test=saved-view-open]").GetAttribute("data-href"));
        Assert.Contains("shared with Finance analyst", item.TextContent, StringComparison.Ordinal);

        // The same name again: refused, the typed name stays.
        await cut.InvokeAsync(() => name.Instance.ValueChanged.InvokeAsync("Oldest items"));
        cut.Find("[data-test=save-view]").Click();
        cut.WaitForAssertion(() => Assert.Equal("You already have a view named 'Oldest items' for this table.", cut.Find("[data-test=saved-views-message]").TextContent));
        Assert.Equal("Oldest items", cut.Find("[data-test=save-view-name] input, input[data-test=save-view-name]").GetAttribute("value"));
        Assert.Single(cut.FindAll("[data-test=saved-view]"));
    }

    [Fact]
    public async Task Opening_navigates_to_the_views_url_and_shared_views_offer_no_rename_or_delete()
    {
        var finance = await fixture.UserAsync("finance@demo.local");
        var table = fixture.Table("order", "order_refunds");
        var views = fixture.App.Services.CreateScope().ServiceProvider.GetRequiredService<ExplorerSavedViews>();
        var shared = await views.SaveAsync(table, GridState.Parse("?f.status=eq:COMPLETED"), "Completed refunds", PortalRoles.SupportAgent, finance, Xunit.TestContext.Current.CancellationToken);
        Assert.True(shared.Succeeded, shared.Error);
        await SignInAsAsync("support@demo.local");
        Render<MudPopoverProvider>();
        var cut = Render<SavedViewsMenu>(p => p.Add(c => c.Table, table).Add(c => c.State, GridState.Parse("")));

        cut.Find("[data-test=saved-views-toggle]").Click();
        cut.WaitForElement("[data-test=saved-view]");
        var item = cut.Find("[data-test=saved-view]");
        Assert.Equal("false", item.GetAttribute("data-mine"));
        Assert.Empty(cut.FindAll("[data-test=saved-view-rename]"));
        Assert.Empty(cut.FindAll("[data-test=saved-view-delete]"));

        cut.Find("[data-test=saved-view-open]").Click();
        var navigation = Services.GetRequiredService<BunitNavigationManager>();
        // MudButton's click handler is asynchronous: under load the navigation can land after Click() returns.
        cut.WaitForAssertion(() => Assert.EndsWith("/explorer/order/order_refunds?f.status=eq%3ACOMPLETED", navigation.Uri, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-test=saved-views-panel]")));
    }

    [Fact]
    public async Task The_owner_renames_and_deletes_after_confirming()
    {
        var support = await SignInAsAsync("support@demo.local");
        var table = fixture.Table("order", "order_notes");
        var views = fixture.App.Services.CreateScope().ServiceProvider.GetRequiredService<ExplorerSavedViews>();
        Assert.True((await views.SaveAsync(table, GridState.Parse("?q=abc"), "Support tickets", null, support, Xunit.TestContext.Current.CancellationToken)).Succeeded);
        Render<MudPopoverProvider>();
        var cut = Render<SavedViewsMenu>(p => p.Add(c => c.Table, table).Add(c => c.State, GridState.Parse("")));

        cut.Find("[data-test=saved-views-toggle]").Click();
        cut.WaitForElement("[data-test=saved-view-rename]");
        cut.Find("[data-test=saved-view-rename]").Click();
        cut.WaitForElement("[data-test=rename-save]");
        var rename = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "New name");
        await cut.InvokeAsync(() => rename.Instance.ValueChanged.InvokeAsync("Tickets with abc"));
        // Sharing can change after saving too.
        var share = cut.FindComponents<MudSelect<string>>().Single(f => f.Instance.Label == "Shared with");
        await cut.InvokeAsync(() => share.Instance.ValueChanged.InvokeAsync(PortalRoles.FinanceAnalyst));
        cut.Find("[data-test=rename-save]").Click();
        cut.WaitForAssertion(() => Assert.Equal("Tickets with abc", cut.Find("[data-test=saved-view]").GetAttribute("data-view")));
        Assert.Contains($"shared with {PortalRoles.DisplayName(PortalRoles.FinanceAnalyst)}", cut.Find("[data-test=saved-view]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Renamed to 'Tickets with abc', shared with " + PortalRoles.DisplayName(PortalRoles.FinanceAnalyst) + ".", cut.Find("[data-test=saved-views-message]").TextContent.Trim());
        Assert.Equal(PortalRoles.FinanceAnalyst, Assert.Single(await views.ListAsync(table, support, Xunit.TestContext.Current.CancellationToken)).SharedWithRole);

        cut.Find("[data-test=saved-view-delete]").Click();
        cut.WaitForElement("[data-test=saved-view-delete-confirm]");
        Assert.Single(cut.FindAll("[data-test=saved-view]"));
        cut.Find("[data-test=saved-view-delete-confirm]").Click();
        cut.WaitForElement("[data-test=saved-views-empty]");
        Assert.Empty(await views.ListAsync(table, support, Xunit.TestContext.Current.CancellationToken));
    }
}
