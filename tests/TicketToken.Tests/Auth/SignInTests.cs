using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.Data.Portal;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Auth;

public sealed class SignInTests(PortalAppFactory app) : IClassFixture<PortalAppFactory>
{
    private const string Password = "Correct-Horse-42!";

    [Fact]
    public async Task Support_agent_signs_in_with_a_password_and_reaches_home()
    {
        await app.CreateUserAsync("agent.one@example.test", Password, PortalRoles.SupportAgent);
        using var client = app.CreateBrowserLikeClient();

        var response = await PortalAppFactory.SignInAsync(client, "agent.one@example.test", Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Welcome back", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_a_message_and_no_cookie()
    {
        await app.CreateUserAsync("agent.two@example.test", Password, PortalRoles.SupportAgent);
        using var client = app.CreateBrowserLikeClient();

        var response = await PortalAppFactory.SignInAsync(client, "agent.two@example.test", "Wrong-Password-1!");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("email or password is not right", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Five_failed_attempts_lock_the_account_even_for_the_right_password()
    {
        await app.CreateUserAsync("agent.locked@example.test", Password, PortalRoles.SupportAgent);
        using var client = app.CreateBrowserLikeClient();

        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await PortalAppFactory.SignInAsync(client, "agent.locked@example.test", $"Wrong-Password-{i}!");
        }

        Assert.Equal(HttpStatusCode.Redirect, last.StatusCode);
        Assert.EndsWith("Account/Lockout", last.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var withRightPassword = await PortalAppFactory.SignInAsync(client, "agent.locked@example.test", Password);
        Assert.EndsWith("Account/Lockout", withRightPassword.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Theory]
    [InlineData(PortalRoles.Administrator)]
    [InlineData(PortalRoles.FinanceAnalyst)]
    [InlineData(PortalRoles.ComplianceOfficer)]
    public async Task Roles_that_require_two_factor_are_sent_to_enroll_before_any_page(string role)
    {
        var email = $"no2fa.{role.ToLowerInvariant()}@example.test";
        await app.CreateUserAsync(email, Password, role);
        using var client = app.CreateBrowserLikeClient();

        var signIn = await PortalAppFactory.SignInAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Contains("/Account/Manage/TwoFactor?required=1", home.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var enroll = await client.GetAsync("/Account/Manage/TwoFactor?required=1");
        Assert.Equal(HttpStatusCode.OK, enroll.StatusCode);
        Assert.Contains("data-test=\"twofactor-required\"", await enroll.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Support_agent_without_two_factor_is_not_asked_to_enroll()
    {
        await app.CreateUserAsync("agent.three@example.test", Password, PortalRoles.SupportAgent);
        using var client = app.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "agent.three@example.test", Password);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/support")).StatusCode);
    }

    [Fact]
    public async Task Enrolled_administrator_needs_the_authenticator_code()
    {
        await app.SeedDemoAccountsAsync();
        using var client = app.CreateBrowserLikeClient();

        var passwordOnly = await PortalAppFactory.SignInAsync(client, "admin@demo.local", DemoAccounts.Password);
        Assert.Contains("Account/LoginWith2fa", passwordOnly.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);

        using var second = app.CreateBrowserLikeClient();
        var withCode = await PortalAppFactory.SignInAsync(second, "admin@demo.local", DemoAccounts.Password, DemoAccounts.TotpSecret, "/admin");
        Assert.Equal(HttpStatusCode.Redirect, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task Wrong_authenticator_code_is_refused()
    {
        await app.SeedDemoAccountsAsync();
        using var client = app.CreateBrowserLikeClient();
        var signIn = await PortalAppFactory.SignInAsync(client, "finance@demo.local", DemoAccounts.Password);
        var twoFactorUrl = signIn.Headers.Location!.OriginalString;
        var wrong = Totp.Compute(DemoAccounts.TotpSecret, DateTimeOffset.UtcNow.AddHours(1));

        var response = await PortalAppFactory.PostFormAsync(client, twoFactorUrl, "login-with-2fa", new() { ["Input.TwoFactorCode"] = wrong });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("That code is not valid", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/finance")).StatusCode);
    }

    [Fact]
    public async Task Disabled_user_cannot_sign_in()
    {
        var user = await app.CreateUserAsync("agent.disabled@example.test", Password, PortalRoles.SupportAgent);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var stored = await users.FindByIdAsync(user.Id.ToString());
            stored!.IsDisabled = true;
            await users.UpdateAsync(stored);
        }

        using var client = app.CreateBrowserLikeClient();
        var response = await PortalAppFactory.SignInAsync(client, "agent.disabled@example.test", Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_live_circuit_loses_a_user_who_is_disabled_or_changes_password()
    {
        var user = await app.CreateUserAsync("agent.circuit@example.test", Password, PortalRoles.SupportAgent);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value;

        var stored = (await users.FindByIdAsync(user.Id.ToString()))!;
        var principal = await factory.CreateAsync(stored);
        Assert.True(await RevalidatingAuthenticationStateProvider.IsStillValidAsync(users, options, principal));

        Assert.True((await users.ChangePasswordAsync(stored, Password, "Another-Horse-43!")).Succeeded);
        Assert.False(await RevalidatingAuthenticationStateProvider.IsStillValidAsync(users, options, principal));

        var fresh = await factory.CreateAsync(stored);
        stored.IsDisabled = true;
        await users.UpdateAsync(stored);
        Assert.False(await RevalidatingAuthenticationStateProvider.IsStillValidAsync(users, options, fresh));
    }

    [Fact]
    public void Circuits_revalidate_at_least_every_five_minutes()
    {
        var options = app.Services.GetRequiredService<IOptions<PortalSecurityOptions>>().Value;
        Assert.True(options.RevalidationInterval <= TimeSpan.FromMinutes(5));
        Assert.True(new PortalSecurityOptions { RevalidationIntervalMinutes = 60 }.RevalidationInterval <= TimeSpan.FromMinutes(5));
    }
}
