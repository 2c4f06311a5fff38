using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Data.Portal;
using TicketToken.Portal.Hosting;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Hosting;

public sealed class StartupChecksTests() : TemplateDatabaseTest("tt_startup")
{
    [Fact]
    public async Task Outside_development_a_superuser_connection_is_refused()
    {
        await using var app = PortalHost.Build("Production", new Dictionary<string, string?>
        {
            ["ConnectionStrings:TicketToken"] = TestDatabase.ConnectionStringFor(Database),
        });

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => StartupChecks.RunAsync(app));

        Assert.Contains("superuser or has BYPASSRLS", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_a_bypassrls_connection_is_refused()
    {
        await using var app = PortalHost.Build("Production", new Dictionary<string, string?>
        {
            ["ConnectionStrings:TicketToken"] = TemplateDatabase.StaffReadConnectionString(Database),
        });

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => StartupChecks.RunAsync(app));

        Assert.Contains(TemplateDatabase.StaffReadRole, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_a_role_bound_by_row_level_security_starts()
    {
        await using var app = PortalHost.Build("Production", new Dictionary<string, string?>
        {
            ["ConnectionStrings:TicketToken"] = TemplateDatabase.AppConnectionString(Database),
        });

        await StartupChecks.RunAsync(app);
    }

    [Fact]
    public async Task Outside_development_demo_accounts_cannot_sign_in()
    {
        await using var app = PortalHost.Build("Production", new Dictionary<string, string?>
        {
            ["ConnectionStrings:TicketToken"] = TemplateDatabase.AppConnectionString(Database),
        });
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>();
        var demo = new PortalUser { UserName = "support@demo.local", Email = "support@demo.local", EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var real = new PortalUser { UserName = "agent@example.test", Email = "agent@example.test", EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(demo, "Demo-Portal-2345!")).Succeeded);
        Assert.True((await users.CreateAsync(real, "Demo-Portal-2345!")).Succeeded);

        Assert.False(await signIn.CanSignInAsync(demo));
        Assert.True(await signIn.CanSignInAsync(real));
    }
}
