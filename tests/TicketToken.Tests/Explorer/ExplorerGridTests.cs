using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Components.Pages.Explorer;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>The explorer's grid (the table page) rendered with bUnit over the real services and the demo seed: the URL drives it, its controls change the URL.</summary>
[Collection(ViewsAndExportsCollection.Name)]
public sealed class ExplorerGridTests : ExplorerPageTest
{
    public ExplorerGridTests(SeededExplorerFixture fixture)
        : base(fixture, "Europe/Berlin")
    {
        var app = fixture.App.Services;
        Services.AddSingleton(app.GetRequiredService<ExplorerExportQueue>());
        Services.AddSingleton(app.GetRequiredService<IOptions<ExplorerExportOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<ExplorerSavedViews>();
        Services.AddScoped<ExplorerExports>();
    }

    private IRenderedComponent<ExplorerTablePage> Open(string service, string table, string query)
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/explorer/{service}/{table}{query}");
        Render<MudPopoverProvider>();
        return Render<ExplorerTablePage>(p => p.Add(c => c.Service, service).Add(c => c.Table, table));
    }

    [Fact]
    public async Task The_URL_filters_and_sorts_the_rows_and_the_controls_write_the_URL()
    {
        await SignInAsAsync("admin@demo.local");
        var expected = await Fixture.ScalarAsync<long>("SELECT count(*) FROM public.orders WHERE status = 'REFUNDED'");
        Assert.True(expected > 0);

        var cut = Open("order", "orders", "?f.status=eq%3AREFUNDED&size=25");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-test=grid-row]")), TimeSpan.FromSeconds(20));
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-test=grid-range]").GetAttribute("data-total"));
        Assert.Equal(Math.Min(25, expected), cut.FindAll("[data-test=grid-row]").Count);
        Assert.Contains("status", cut.Find("[data-test=active-filter]").TextContent, StringComparison.Ordinal);

        // A header click sorts through the URL, keeping the filter; the page reloads from it.
        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.Find("[data-test=sort-order_number]").Click();
        cut.WaitForAssertion(() => Assert.Contains("sort=order_number.asc", navigation.Uri, StringComparison.Ordinal));
        Assert.Contains("f.status=eq%3AREFUNDED", navigation.Uri, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("th[aria-sort=ascending] [data-test=sort-order_number]")));
        var headers = cut.FindAll("thead th").Select(th => th.TextContent.Trim()).ToList();
        var numberColumn = headers.FindIndex(h => h.StartsWith("order_number", StringComparison.Ordinal));
        var numbers = cut.FindAll("[data-test=grid-row]").Select(r => r.Children[numberColumn].TextContent.Trim()).ToList();
        Assert.Equal(numbers.Order(StringComparer.Ordinal), numbers);

        // Removing the filter widens the set to every order.
        cut.Find("[data-test=clear-filters]").Click();
        cut.WaitForAssertion(() => Assert.DoesNotContain("f.status", navigation.Uri, StringComparison.Ordinal));
        var all = await Fixture.ScalarAsync<long>("SELECT count(*) FROM public.orders");
        cut.WaitForAssertion(() => Assert.Equal(all.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-test=grid-range]").GetAttribute("data-total")));
    }

    [Fact]
    public async Task A_filter_that_matches_nothing_says_so_and_offers_the_way_back()
    {
        await SignInAsAsync("admin@demo.local");

        var cut = Open("order", "orders", "?f.order_number=eq%3ANO-SUCH-ORDER");

        cut.WaitForAssertion(() => Assert.Contains("Try removing a filter.", cut.Find("[data-test=grid-empty]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Equal("0", cut.Find("[data-test=grid-range]").GetAttribute("data-total"));
        Assert.Single(cut.FindAll("[data-test=active-filter]"));
    }

    [Fact]
    public async Task A_role_without_the_table_sees_a_refusal_and_no_rows()
    {
        await SignInAsAsync("compliance@demo.local");

        var cut = Open("order", "orders", "");

        cut.WaitForAssertion(() => Assert.Contains("order/orders", cut.Find("[data-test=explorer-denied]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Empty(cut.FindAll("[data-test=grid-row]"));
    }

    [Fact]
    public async Task A_query_only_navigation_loads_the_rows_once_and_leaving_the_table_loads_nothing()
    {
        await SignInAsAsync("admin@demo.local");
        var cut = Open("order", "orders", "?size=25");
        cut.WaitForAssertion(() => Assert.Equal("explorer/order/orders?size=25", cut.Find("[data-test=explorer-grid]").GetAttribute("data-loaded")), TimeSpan.FromSeconds(20));
        var navigation = Services.GetRequiredService<NavigationManager>();
        using var queries = new OrdersQueryCounter(Fixture.App.DatabaseName);

        // A location change alone (what bUnit's navigation manager raises): the rows of the new address, loaded once.
        navigation.NavigateTo("/explorer/order/orders?size=25&sort=order_number.asc");
        cut.WaitForAssertion(() => Assert.Equal("explorer/order/orders?size=25&sort=order_number.asc", cut.Find("[data-test=explorer-grid]").GetAttribute("data-loaded")), TimeSpan.FromSeconds(20));
        var once = queries.Take();
        Assert.True(once > 0);

        // In the app the router also hands the page its parameters again for the same address: no second load.
        navigation.NavigateTo("/explorer/order/orders?size=25&sort=order_number.desc");
        await cut.InvokeAsync(() => cut.Instance.SetParametersAsync(ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(ExplorerTablePage.Service)] = "order",
            [nameof(ExplorerTablePage.Table)] = "orders",
        })));
        cut.WaitForAssertion(() => Assert.Equal("explorer/order/orders?size=25&sort=order_number.desc", cut.Find("[data-test=explorer-grid]").GetAttribute("data-loaded")), TimeSpan.FromSeconds(20));
        Assert.Equal(once, queries.Take());

        // Leaving for a record page: the table page loads nothing more for it.
        navigation.NavigateTo("/explorer/order/orders/00000000-0000-0000-0000-000000000001");
        await Task.Delay(300, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(0, queries.Take());
    }

    /// <summary>Counts the SQL commands (Npgsql's activities) that read orders in one database, from any connection of this process.</summary>
    private sealed class OrdersQueryCounter : IDisposable
    {
        private readonly System.Diagnostics.ActivityListener listener;
        private int count;

        public OrdersQueryCounter(string database)
        {
            listener = new System.Diagnostics.ActivityListener
            {
                ShouldListenTo = source => source.Name.StartsWith("Npgsql", StringComparison.Ordinal),
                Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    var texts = activity.TagObjects.Select(t => t.Value as string ?? "").ToList();
                    if (texts.Any(t => t == database) && texts.Any(t => t.Contains("orders", StringComparison.Ordinal) && t.Contains("SELECT", StringComparison.OrdinalIgnoreCase)))
                    {
                        Interlocked.Increment(ref count);
                    }
                },
            };
            System.Diagnostics.ActivitySource.AddActivityListener(listener);
        }

        /// <summary>The count since the last call.</summary>
        public int Take() => Interlocked.Exchange(ref count, 0);

        public void Dispose() => listener.Dispose();
    }
}
