using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Components.Shared;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Shell;

public sealed class HomeCountsTests() : TemplateDatabaseTest("tt_home")
{
    [Fact]
    public async Task Administration_counts_tenants_across_the_platform_in_one_recorded_read()
    {
        await PlatformRows.AddTenantWithUserAsync(Database, "home-a");
        await PlatformRows.AddTenantWithUserAsync(Database, "home-b");
        var app = TemplateDatabase.AppConnectionString(Database);
        var portal = new PortalContexts(app);
        var access = new CrossTenantAccess(new AppContexts(app), portal, new FixedPortalActor(new PortalActorInfo(Guid.NewGuid(), "admin@example.test")),
            Options.Create(new DataAccessOptions()), TimeProvider.System);
        var counts = new HomeCounts(portal, new AppContexts(app), access, new FakeTimeProvider(DateTimeOffset.UtcNow));

        var cards = await counts.AdministrationAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, cards.Single(c => c.Title == "Tenants").Value);
        Assert.Equal(0, cards.Single(c => c.Title == "Venues").Value);
        await using var db = portal.CreateDbContext();
        var audit = await db.AuditEntries.ToListAsync(TestContext.Current.CancellationToken);
        var entry = Assert.Single(audit);
        Assert.Equal("home: administration", entry.Reason);
    }
}
