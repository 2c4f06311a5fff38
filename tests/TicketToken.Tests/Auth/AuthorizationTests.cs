using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using TicketToken.Data.Portal;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Auth;

public sealed class AuthorizationTests(PortalAppFactory app) : IClassFixture<PortalAppFactory>
{
    public static TheoryData<string> ProtectedPages()
    {
        var data = new TheoryData<string>();
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<AllowAnonymousAttribute>() is null)
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
            .Select(r => r.Template)
            .Distinct()
            .OrderBy(t => t, StringComparer.Ordinal);
        foreach (var page in pages)
        {
            data.Add(page);
        }

        data.Add("/jobs");
        return data;
    }

    [Theory]
    [MemberData(nameof(ProtectedPages))]
    public async Task Every_page_redirects_an_anonymous_visitor_to_sign_in(string path)
    {
        using var client = app.CreateBrowserLikeClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public void There_are_protected_pages_to_check()
    {
        Assert.True(ProtectedPages().Count >= 10);
    }

    [Theory]
    [InlineData("venue@demo.local", null)]
    [InlineData("support@demo.local", null)]
    [InlineData("compliance@demo.local", DemoAccounts.TotpSecret)]
    public async Task Jobs_dashboard_is_forbidden_to_other_roles(string email, string? totp)
    {
        await app.SeedDemoAccountsAsync();
        using var client = app.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, email, DemoAccounts.Password, totp);

        var response = await client.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("admin@demo.local")]
    [InlineData("finance@demo.local")]
    public async Task Jobs_dashboard_opens_for_administrators_and_finance(string email)
    {
        await app.SeedDemoAccountsAsync();
        using var client = app.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, email, DemoAccounts.Password, DemoAccounts.TotpSecret);

        var response = await client.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("TicketToken jobs", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("support@demo.local", null, "/finance")]
    [InlineData("venue@demo.local", null, "/admin")]
    [InlineData("finance@demo.local", DemoAccounts.TotpSecret, "/compliance")]
    public async Task A_workspace_outside_the_users_roles_is_denied(string email, string? totp, string path)
    {
        await app.SeedDemoAccountsAsync();
        using var client = app.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, email, DemoAccounts.Password, totp);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/AccessDenied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_accounts_cover_every_role()
    {
        await app.SeedDemoAccountsAsync();
        Assert.Equal(PortalRoles.All.Order(), DemoAccounts.All.Select(a => a.Role).Order());
    }
}
