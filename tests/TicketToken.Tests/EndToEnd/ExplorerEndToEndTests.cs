using Microsoft.Playwright;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.EndToEnd;

/// <summary>The portal on a real Kestrel port with the demo seed, and Chromium.</summary>
public class SeededBrowserFixture : IAsyncLifetime
{
    private readonly BrowserFixture browser = new();

    public SeededBrowserFixture()
    {
    }

    /// <summary>For a fixture that needs settings of its own (set before the app starts).</summary>
    protected SeededBrowserFixture(string key, string value) => browser.App.WithSetting(key, value);

    public IBrowser Browser => browser.Browser;

    public PortalAppFactory App => browser.App;

    public async ValueTask InitializeAsync()
    {
        await browser.InitializeAsync();
        await App.SeedEverythingAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class ExplorerEndToEndTests(SeededBrowserFixture fixture) : IClassFixture<SeededBrowserFixture>
{
    [Fact]
    public async Task Filter_sort_and_back_button_in_a_real_browser()
    {
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, "admin@demo.local");

        // A typed filter from the editor: text column, 'contains'.
        await BrowserSteps.OpenTableFromExplorerAsync(page, "order", "orders");
        await BrowserSteps.AddContainsFilterAsync(page, "order_number", "12");
        await Assertions.Expect(page.Locator("[data-test=active-filter]")).ToHaveTextAsync("order_number contains '12'");
        var filteredTotal = await page.GetAttributeAsync("[data-test=grid-range]", "data-total");
        Assert.NotEqual("10000", filteredTotal);
        foreach (var number in await page.Locator("[data-test=grid-row] td:nth-child(5)").AllInnerTextsAsync())
        {
            Assert.Contains("12", number, StringComparison.Ordinal);
        }

        // Sort by a column header; the URL keeps the state.
        await page.ClickAsync("[data-test=sort-order_number]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("sort=order_number\\.asc"));
        await BrowserSteps.WaitForGridAsync(page);
        await Assertions.Expect(page.Locator("th[aria-sort=ascending]")).ToContainTextAsync("order_number");
        var numbers = await page.Locator("[data-test=grid-row] td:nth-child(5)").AllInnerTextsAsync();
        Assert.Equal(numbers.Order(StringComparer.Ordinal), numbers);

        // Back: the unsorted, filtered view returns.
        await page.GoBackAsync();
        await page.WaitForURLAsync(url => !url.Contains("sort=", StringComparison.Ordinal));
        await BrowserSteps.WaitForGridAsync(page);
        await Assertions.Expect(page.Locator("[data-test=active-filter]")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "explorer-orders.png") });


        // A record page with its fields.
        await page.ClickAsync("[data-test=grid-row] td:first-child a");
        await Assertions.Expect(page.Locator("[data-test=record-fields]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=parent-link]").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "explorer-record.png"), FullPage = true });
    }

    [Fact]
    public async Task A_wide_table_page_opened_directly_becomes_interactive()
    {
        // Typed or bookmarked URL, all columns: the prerendered page is too large to hand over in the circuit's first
        // message, so the interactive render loads it again instead of the circuit closing.
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App);
        var page = await context.NewPageAsync();
        var closed = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Connection disconnected", StringComparison.Ordinal) || message.Text.Contains("error on close", StringComparison.Ordinal))
            {
                closed.Add(message.Text);
            }
        };
        await BrowserSteps.SignInAsync(page, "admin@demo.local");

        await page.GotoAsync("/explorer/order/orders?size=100");
        await Assertions.Expect(page.Locator("[data-test=grid-row]")).ToHaveCountAsync(100);
        await BrowserSteps.WaitForInteractiveAsync(page);
        await BrowserSteps.WaitForGridAsync(page);
        await page.ClickAsync("[data-test=sort-order_number]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("sort=order_number\\.asc"));
        await BrowserSteps.WaitForGridAsync(page);
        await Assertions.Expect(page.Locator("th[aria-sort=ascending]")).ToContainTextAsync("order_number");
        Assert.Empty(closed);
    }
}
