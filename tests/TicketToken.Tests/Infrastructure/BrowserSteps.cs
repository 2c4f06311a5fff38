using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TicketToken.Portal.Security;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// Steps that several browser tests take the same way: signing in as a demo account, opening a table from the
/// explorer's tree, adding a grid filter. Each step waits for the state it produces, so the next one never races it,
/// and a step that does not reach its state fails with what the page showed instead.
/// </summary>
public static partial class BrowserSteps
{
    /// <summary>
    /// A browser context on the portal's Kestrel port. Steps wait up to 60 s: the whole suite shares two cores, so a
    /// navigation or a circuit's start can be slow.
    /// </summary>
    public static async Task<IBrowserContext> NewContextAsync(IBrowser browser, PortalAppFactory app, int width = 1400, int height = 900, bool acceptDownloads = false)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(app);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.RootUri.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = acceptDownloads,
        });
        context.SetDefaultTimeout(60_000);
        return context;
    }

    /// <summary>
    /// Signs in through the login form (and the second factor when the account requires one). With
    /// <paramref name="startAt"/>, opens that page first and expects to be sent to the login form.
    /// </summary>
    public static async Task SignInAsync(IPage page, string email, string? startAt = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (startAt is null)
        {
            await page.GotoAsync("/Account/Login");
        }
        else
        {
            await page.GotoAsync(startAt);
            await page.WaitForURLAsync("**/Account/Login**");
        }

        await page.FillAsync("#Input\\.Email", email);
        await page.FillAsync("#Input\\.Password", DemoAccounts.Password);
        await page.ClickAsync("[data-test=sign-in]");
        if (DemoAccounts.All.Single(a => a.Email == email).RequiresTwoFactor)
        {
            await page.WaitForURLAsync("**/Account/LoginWith2fa**");
            await page.FillAsync("#Input\\.TwoFactorCode", Totp.Compute(DemoAccounts.TotpSecret, DateTimeOffset.UtcNow));
            await page.ClickAsync("[data-test=verify-code]");
        }

        await page.WaitForSelectorAsync("h1:has-text('Welcome back')");
    }

    /// <summary>Waits until the circuit is live, so clicks are handled by it rather than by a full page load.</summary>
    public static Task WaitForInteractiveAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Locator("[data-test=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>Opens a table through the explorer's tree, as a user arrives at it, and waits for its rows.</summary>
    public static async Task OpenTableFromExplorerAsync(IPage page, string service, string table)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/explorer");
        // Interactive first: a click during the circuit's start may be a full load or an in-page navigation (no load event).
        await WaitForInteractiveAsync(page);
        await page.FillAsync("[data-test=table-filter] input, input[data-test=table-filter]", table);
        await page.ClickAsync($"a[data-test=table-link]:text-is('{table}')");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/explorer/{Regex.Escape(service)}/{Regex.Escape(table)}$"));
        await WaitForInteractiveAsync(page);
        await WaitForGridAsync(page);
        await Assertions.Expect(page.Locator("[data-test=grid-row]").First).ToBeVisibleAsync();
    }

    /// <summary>
    /// Waits until the explorer grid shows the rows of the address in the browser's location bar: after a filter,
    /// a sort or the back button the URL changes first and the rows follow, and a click in between may act on the
    /// rows of the previous address.
    /// </summary>
    public static async Task WaitForGridAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        try
        {
            await page.WaitForFunctionAsync(
                "() => { const g = document.querySelector('[data-test=explorer-grid]'); return !!g && g.dataset.loaded === location.pathname.slice(1) + location.search; }",
                null, new() { Timeout = 30_000, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            var loaded = await page.Locator("[data-test=explorer-grid]").GetAttributeAsync("data-loaded");
            Assert.Fail($"The grid did not show the rows of {page.Url} (it shows {loaded ?? "nothing: still loading"}).");
        }
    }

    /// <summary>
    /// Adds a 'contains' filter on a text column through the filter editor and waits until the grid's URL carries it.
    /// Each control is checked before the next is used: the column shows in the picker, the value in the box.
    /// </summary>
    public static async Task AddContainsFilterAsync(IPage page, string column, string value)
    {
        ArgumentNullException.ThrowIfNull(page);
        var picker = page.Locator("[data-test=filter-column]");
        await picker.ClickAsync();
        var option = page.GetByRole(AriaRole.Option, new() { Name = column, Exact = true });
        await option.ClickAsync();
        await Assertions.Expect(option).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("[data-test=filter-editor]")).ToHaveAttributeAsync("data-column", column);

        var box = page.Locator("input[data-test=filter-value], [data-test=filter-value] input");
        try
        {
            await box.WaitForAsync(new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail("No value box after choosing the column. " + await DescribeAsync(page));
        }

        await box.FillAsync(value);
        await Assertions.Expect(box).ToHaveValueAsync(value);
        await page.ClickAsync("[data-test=filter-apply]");

        var expected = $"f.{Uri.EscapeDataString(column)}=contains%3A{Uri.EscapeDataString(value)}";
        try
        {
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(expected)), new() { Timeout = 30_000 });
        }
        catch (PlaywrightException)
        {
            Assert.Fail($"The filter did not reach the URL ({expected}). " + await DescribeAsync(page));
        }

        await WaitForGridAsync(page);
    }

    /// <summary>What the filter editor and the page showed, with a screenshot, for a failure message.</summary>
    private static async Task<string> DescribeAsync(IPage page)
    {
        var shot = Path.Combine(BrowserFixture.ArtifactsDirectory, $"filter-editor-{Guid.NewGuid():N}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        var editor = page.Locator("[data-test=filter-editor]");
        var messages = await page.Locator("[data-test=filter-error], [data-test=grid-error]").AllInnerTextsAsync();
        return $"URL: {page.Url}; editor column={await editor.GetAttributeAsync("data-column")} op={await editor.GetAttributeAsync("data-op")}; " +
               $"editor text: {Flat(await editor.InnerTextAsync())}; editor html: {await editor.InnerHTMLAsync()}; messages: {string.Join(" | ", messages)}; screenshot: {shot}";
    }

    private static string Flat(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
