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
            throw new MissingConfigurationException(
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
        services.AddSingleton<Tenancy.ReadAuditQueue>();
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

    /// <summary>
    /// Set to <c>0</c> to build the platform model at run time (from <c>OnModelCreating</c>) instead of using the
    /// compiled model in <c>CompiledModels/</c>; for the startup benchmark and for diagnosing a stale compiled model.
    /// </summary>
    internal const string CompiledModelVariable = "TT_EF_COMPILED_MODEL";

    /// <summary>Whether <see cref="ConfigurePlatform"/> uses the compiled model (unless <see cref="CompiledModelVariable"/> is <c>0</c>).</summary>
    internal static bool UseCompiledPlatformModel =>
        Environment.GetEnvironmentVariable(CompiledModelVariable) is not ("0" or "false");

    public static void ConfigurePlatform(DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UseNpgsql(connectionString, npgsql => PlatformDbContext.MapPlatformEnums(npgsql
                .MigrationsHistoryTable(PlatformDbContext.MigrationsHistoryTable, "public")
                .MigrationsAssembly(typeof(PlatformDbContext).Assembly.FullName)))
            .UseSnakeCaseNamingConvention();
#if !TT_NO_COMPILED_MODEL // defined only to rebuild a compiled model that no longer compiles (Codegen/README.md)
        if (UseCompiledPlatformModel)
        {
            // 346 entity types: building the model at startup takes seconds; regenerate it with the model
            // (TicketToken.Data/Codegen/README.md). Migrations still build the design-time model from OnModelCreating.
            options.UseModel(TicketToken.CompiledModels.PlatformDbContextModel.Instance);
        }
#endif
    }
}
