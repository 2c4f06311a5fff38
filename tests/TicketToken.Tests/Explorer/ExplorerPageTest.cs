using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>
/// Shared base of the bUnit tests of explorer pages over the seeded database: the app's catalog and portal contexts,
/// the browser's time zone, and signing in as a demo user whose explorer data (and audit actor) the page then uses.
/// </summary>
public abstract class ExplorerPageTest : PortalComponentTest
{
    protected ExplorerPageTest(SeededExplorerFixture fixture, string timeZone)
    {
        Fixture = fixture;
        var app = fixture.App.Services;
        Services.AddSingleton(app.GetRequiredService<ExplorerCatalog>());
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<PortalDbContext>>());
        Services.AddScoped<BrowserTimeZone>();
        JSInterop.Setup<string>("tt.timeZone").SetResult(timeZone);
    }

    protected SeededExplorerFixture Fixture { get; }

    /// <summary>Signs in as a demo account, with the explorer's data read as them and their actions audited under their name.</summary>
    protected async Task<ClaimsPrincipal> SignInAsAsync(string email)
    {
        var user = await Fixture.UserAsync(email);
        SignIn(user);
        Services.AddSingleton(Fixture.Data(user));
        Services.AddSingleton<IPortalActor>(new FixedPortalActor(new PortalActorInfo(null, email)));
        return user;
    }
}
