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
    private readonly DbContextOptions<PlatformDbContext> options =
        TestContextOptions.Build<PlatformDbContext>(DataServiceCollectionExtensions.ConfigurePlatform, connectionString, interceptors);

    /// <summary>Contexts for the model alone: their connection string points nowhere, so any query fails fast.</summary>
    public static AppContexts Offline() => new("Host=127.0.0.1;Port=1;Timeout=1");

    public PlatformDbContext CreateDbContext() => new(options);
}

/// <summary>A PortalDbContext factory on a given connection, configured as the application configures it, with optional interceptors.</summary>
public sealed class PortalContexts(string connectionString, params IInterceptor[] interceptors) : IDbContextFactory<PortalDbContext>
{
    private readonly DbContextOptions<PortalDbContext> options =
        TestContextOptions.Build<PortalDbContext>(DataServiceCollectionExtensions.ConfigurePortal, connectionString, interceptors);

    public PortalDbContext CreateDbContext() => new(options);
}

/// <summary>Context options built once per factory, the way the application configures them, plus the test's interceptors.</summary>
internal static class TestContextOptions
{
    public static DbContextOptions<T> Build<T>(Action<DbContextOptionsBuilder, string> configure, string connectionString, IInterceptor[] interceptors)
        where T : DbContext
    {
        var builder = new DbContextOptionsBuilder<T>();
        configure(builder, connectionString);
        if (interceptors.Length > 0)
        {
            builder.AddInterceptors(interceptors);
        }

        return builder.Options;
    }
}
