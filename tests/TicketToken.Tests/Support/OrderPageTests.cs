using System.Net;
using Microsoft.Playwright;
using TicketToken.Portal.Security;
using TicketToken.Portal.Support;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

/// <summary>The order page over HTTP (who may open it) and in a real browser (open an order, refund part of it, see it on the timeline).</summary>
public sealed class OrderPageTests(OrderPageTests.Fixture fixture) : IClassFixture<OrderPageTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly BrowserFixture browser = new();

        public IBrowser Browser => browser.Browser;

        public PortalAppFactory App => browser.App;

        public SupportOrderScenario Order { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            await browser.InitializeAsync();
            Order = await SupportOrderRows.CreateAsync(App.DatabaseName, "page-order");
        }

        public async ValueTask DisposeAsync() => await browser.DisposeAsync();
    }

    private string Path => $"/support/orders/{fixture.Order.Order}";

    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_sign_in()
    {
        using var client = Client();

        var response = await client.GetAsync(Path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("venue@demo.local", null)]
    [InlineData("compliance@demo.local", DemoAccounts.TotpSecret)]
    public async Task Other_roles_are_denied(string email, string? totp)
    {
        using var client = Client();
        await PortalAppFactory.SignInAsync(client, email, DemoAccounts.Password, totp);

        var response = await client.GetAsync(Path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/AccessDenied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("support@demo.local", null)]
    [InlineData("finance@demo.local", DemoAccounts.TotpSecret)]
    [InlineData("admin@demo.local", DemoAccounts.TotpSecret)]
    public async Task Support_finance_and_administrators_open_it(string email, string? totp)
    {
        using var client = Client();
        await PortalAppFactory.SignInAsync(client, email, DemoAccounts.Password, totp);

        var response = await client.GetAsync(Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Find_an_order_by_email_refund_part_of_it_and_see_the_refund_on_the_timeline()
    {
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App, width: 1400, height: 1000);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, "support@demo.local");

        // Find the order the way a support agent would: Ctrl-K, the customer's email, the order among the results.
        await page.Locator("[data-test=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("[data-test=search-open]")).ToHaveAttributeAsync("data-shortcut", "ready");
        await page.Keyboard.PressAsync("Control+k");
        await page.Locator("[data-test=search-input]").PressSequentiallyAsync(fixture.Order.CustomerEmail, new() { Delay = 15 });
        var orderHit = page.Locator($"[data-test=search-result][data-kind=order][data-href='{Path}']");
        await Assertions.Expect(orderHit).ToHaveCountAsync(1);
        await orderHit.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"{Path}$"));
        await Assertions.Expect(page.Locator("[data-test=order-number]")).ToContainTextAsync(fixture.Order.OrderNumber);
        await Assertions.Expect(page.Locator("[data-test=paid]")).ToHaveTextAsync("$144.00");
        await Assertions.Expect(page.Locator("[data-test=customer-link]")).ToHaveAttributeAsync("href", $"/support/customers/{fixture.Order.Customer}");
        await Assertions.Expect(page.Locator("[data-test=timeline-entry][data-kind=refund]")).ToHaveCountAsync(0);

        await page.ClickAsync("[data-test=action-refund]");
        await page.Locator("[data-test=refund-amount] input, input[data-test=refund-amount]").FillAsync("25.50");
        await page.ClickAsync("[data-test=reason-code]");
        await page.GetByRole(AriaRole.Option, new() { Name = "Customer asked", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=refund-preview]")).ToContainTextAsync("Refund $25.50");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(BrowserFixture.ArtifactsDirectory, "support-order-refund-dialog.png") });
        // A double click: the dialog sends one request at a time and the server takes one effect per idempotency key.
        await page.DblClickAsync("[data-test=dialog-confirm]");

        await Assertions.Expect(page.Locator("[data-test=action-result]")).ToContainTextAsync("Refund of $25.50 recorded as pending");
        await Assertions.Expect(page.Locator("[data-test=timeline-entry][data-kind=refund]", new() { HasText = "Refund $25.50 (partial)" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-test=timeline-entry][data-kind=refund]", new() { HasText = "Payment refund $25.50" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-test=remaining]")).ToHaveTextAsync("$118.50");

        await page.ClickAsync("[data-test=timeline-filter-refund]");
        await Assertions.Expect(page.Locator("[data-test=timeline-entry]:not([data-kind=refund])")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(BrowserFixture.ArtifactsDirectory, "support-order-page.png"), FullPage = true });

        Assert.Equal(1, await SupportOrderRows.CountAsync(fixture.App.DatabaseName,
            "SELECT count(*) FROM public.order_refunds WHERE order_id = @id", ("id", fixture.Order.Order)));
        Assert.Equal(1, await SupportOrderRows.CountAsync(fixture.App.DatabaseName,
            "SELECT count(*) FROM portal.audit_log WHERE action = @a AND record_key = @k",
            ("a", OrderActions.RefundRequestAction), ("k", fixture.Order.Order.ToString())));
    }

    /// <summary>A cookie-keeping client on the real Kestrel port (the fixture runs Kestrel for the browser).</summary>
    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
    {
        BaseAddress = fixture.App.RootUri,
    };
}
