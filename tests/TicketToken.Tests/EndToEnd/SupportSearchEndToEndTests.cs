using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.EndToEnd;

public sealed class SupportSearchEndToEndTests(SeededBrowserFixture fixture) : IClassFixture<SeededBrowserFixture>
{
    [Fact]
    public async Task Ctrl_K_then_an_email_and_Enter_opens_the_customer()
    {
        string email;
        Guid userId;
        await using (var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT id, email FROM public.users u WHERE role = 'user' AND EXISTS (SELECT FROM public.orders o WHERE o.user_id = u.id) ORDER BY email OFFSET 3 LIMIT 1", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            userId = reader.GetGuid(0);
            email = reader.GetString(1);
        }

        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, "support@demo.local");
        await BrowserSteps.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-test=search-open]")).ToHaveAttributeAsync("data-shortcut", "ready");

        await page.Keyboard.PressAsync("Control+k");
        var input = page.Locator("[data-test=search-input]");
        await Assertions.Expect(input).ToBeFocusedAsync();
        await input.PressSequentiallyAsync(email, new() { Delay = 15 });

        var first = page.Locator("[data-test=search-result]").First;
        await Assertions.Expect(first).ToHaveAttributeAsync("data-href", $"/support/customers/{userId}");
        await Assertions.Expect(first).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.Locator("[data-test=search-group][data-kind=order] [data-test=search-result]").First).ToBeVisibleAsync();
        await Assertions.Expect(first.Locator("[data-test=search-highlight]")).ToHaveTextAsync(email);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "support-search.png") });

        await page.Keyboard.PressAsync("Enter");

        // Blazor navigates inside the page: no load event, so wait for the URL itself.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/support/customers/{userId}$"));
        await Assertions.Expect(page.Locator("[data-test=customer-email]")).ToContainTextAsync(email);
        await Assertions.Expect(page.Locator("[data-test=customer-order]").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "support-customer.png"), FullPage = true });

        // Esc closes the dialog again: from the input, and from the page before the input has the focus.
        await page.Keyboard.PressAsync("Meta+k");
        await Assertions.Expect(input).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("[data-test=search-dialog]")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Control+k");
        await Assertions.Expect(input).ToBeFocusedAsync();
        await page.EvaluateAsync("() => document.activeElement.blur()");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("[data-test=search-dialog]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_venue_manager_has_no_search_box()
    {
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, "venue@demo.local");
        await BrowserSteps.WaitForInteractiveAsync(page);

        await page.Keyboard.PressAsync("Control+k");

        await Assertions.Expect(page.Locator("[data-test=search-open]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-test=search-dialog]")).ToHaveCountAsync(0);
        var response = await page.GotoAsync("/support/customers/" + Guid.NewGuid());
        Assert.NotNull(response);
        await Assertions.Expect(page.Locator("[data-test=customer-name], [data-test=customer-not-found]")).ToHaveCountAsync(0);
    }
}
