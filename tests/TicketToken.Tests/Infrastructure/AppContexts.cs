using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// A PlatformDbContext factory on a given connection (typically the RLS-bound app role), configured as the application
/// configures it, with optional interceptors (a command counter, say).
/// </summary>
public sealed class AppContexts(string connectionString, params IInterceptor[] interceptors) : IDbContextFactory<PlatformDbContext>
{
    /// <summary>Contexts for the model alone: their connection string points nowhere, so any query fails fast.</summary>
    public static AppContexts Offline() => new("Host=127.0.0.1;Port=1;Timeout=1");

    public PlatformDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        DataServiceCollectionExtensions.ConfigurePlatform(options, connectionString);
        if (interceptors.Length > 0)
        {
            options.AddInterceptors(interceptors);
        }

        return new PlatformDbContext(options.Options);
    }
}

/// <summary>A PortalDbContext factory on a given connection, configured as the application configures it, with optional interceptors.</summary>
public sealed class PortalContexts(string connectionString, params IInterceptor[] interceptors) : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.ConfigurePortal(options, connectionString);
        if (interceptors.Length > 0)
        {
            options.AddInterceptors(interceptors);
        }

        return new PortalDbContext(options.Options);
    }
}
