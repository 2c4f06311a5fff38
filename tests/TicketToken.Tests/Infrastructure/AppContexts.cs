using Microsoft.EntityFrameworkCore;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;

namespace TicketToken.Tests.Infrastructure;

/// <summary>A PlatformDbContext factory on the RLS-bound app role.</summary>
public sealed class AppContexts(string connectionString) : IDbContextFactory<PlatformDbContext>
{
    public PlatformDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        DataServiceCollectionExtensions.ConfigurePlatform(options, connectionString);
        return new PlatformDbContext(options.Options);
    }
}
