using Microsoft.Playwright;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.EndToEnd;

public sealed class SignInEndToEndTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    public static TheoryData<string, string, string> Roles => new()
    {
        { "admin@demo.local", "Administration", "admin" },
        { "venue@demo.local", "Your venues", "venue" },
        { "compliance@demo.local", "Compliance review queues", "compliance" },
        { "finance@demo.local", "Finance and settlement", "finance" },
        { "support@demo.local", "Support", "support" },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Each_demo_role_signs_in_and_sees_its_home_page(string email, string section, string workspace)
    {
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App, width: 1280, height: 800);
        var page = await context.NewPageAsync();

        // From the home page: not signed in, so sent to the login form first.
        await BrowserSteps.SignInAsync(page, email, startAt: "/");
        var sectionLocator = page.Locator($"[data-test=workspace-{workspace}]");
        await Assertions.Expect(sectionLocator.Locator("h2")).ToHaveTextAsync(section);
        await Assertions.Expect(sectionLocator.Locator("[data-test=count-card]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=signed-in-as]")).ToHaveTextAsync(email);
        // The interactive circuit is live: the theme toggle responds.
        await page.Locator("[data-test=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.ClickAsync("[data-test=theme-toggle]");
        await page.WaitForFunctionAsync("() => localStorage.getItem('tt-theme') === 'dark'");

        await Assertions.Expect(page.Locator(".mud-skeleton")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, $"home-{workspace}.png"), FullPage = true });
    }
}
