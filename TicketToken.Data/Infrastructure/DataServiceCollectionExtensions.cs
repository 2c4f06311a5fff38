using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketToken.Data.Portal;

namespace TicketToken.Data.Infrastructure;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "TicketToken";
    public const string StaffReadConnectionStringName = "TicketTokenStaffRead";

    public static string GetTicketTokenConnectionString(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var cs = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(cs))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Set it in configuration or in the environment variable ConnectionStrings__{ConnectionStringName}; './tt run' sets it for the local database.");
        }

        return cs;
    }

    /// <summary>The schema owner's connection (<c>ConnectionStrings:TicketTokenAdmin</c>) for migrations and seeding; else the main one.</summary>
    public static string GetTicketTokenAdminConnectionString(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetConnectionString("TicketTokenAdmin") is { Length: > 0 } admin ? admin : configuration.GetTicketTokenConnectionString();
    }

    /// <summary>Registers both contexts as factories (one context per operation) and as scoped services for Identity.</summary>
    public static IServiceCollection AddTicketTokenData(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetTicketTokenConnectionString();

        services.AddDbContextFactory<PortalDbContext>(o => ConfigurePortal(o, connectionString));
        services.AddDbContextFactory<PlatformDbContext>(o => ConfigurePlatform(o, connectionString));
        services.Configure<Tenancy.DataAccessOptions>(o => o.StaffReadConnectionString = configuration.GetConnectionString(StaffReadConnectionStringName));
        services.TryAddScoped<Tenancy.IPortalActor, Tenancy.SystemPortalActor>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<Tenancy.CrossTenantAccess>();
        return services;
    }

    public static void ConfigurePortal(DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UseNpgsql(connectionString, npgsql => npgsql
                .MigrationsHistoryTable(PortalDbContext.MigrationsHistoryTable, PortalDbContext.Schema)
                .MigrationsAssembly(typeof(PortalDbContext).Assembly.FullName))
            .UseSnakeCaseNamingConvention();
    }

    public static void ConfigurePlatform(DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UseNpgsql(connectionString, npgsql => PlatformDbContext.MapPlatformEnums(npgsql
                .MigrationsHistoryTable(PlatformDbContext.MigrationsHistoryTable, "public")
                .MigrationsAssembly(typeof(PlatformDbContext).Assembly.FullName)))
            .UseSnakeCaseNamingConvention();
    }
}
