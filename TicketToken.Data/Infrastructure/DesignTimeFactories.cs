using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using TicketToken.Data.Portal;

namespace TicketToken.Data.Infrastructure;

// Used by 'dotnet ef migrations add'; no database is contacted to build a migration.
internal sealed class PortalDesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.ConfigurePortal(options, DesignTime.ConnectionString);
        return new PortalDbContext(options.Options);
    }
}

internal sealed class PlatformDesignTimeFactory : IDesignTimeDbContextFactory<PlatformDbContext>
{
    public PlatformDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        DataServiceCollectionExtensions.ConfigurePlatform(options, DesignTime.ConnectionString);
        return new PlatformDbContext(options.Options);
    }
}

internal static class DesignTime
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__TicketToken") ?? "Host=127.0.0.1;Database=design_time";
}
