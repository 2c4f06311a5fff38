using Microsoft.EntityFrameworkCore;

namespace TicketToken.Data;

/// <summary>
/// Every table of the platform's 20 services, in schema <c>public</c>. One context, partial per service
/// (<c>&lt;Service&gt;/PlatformDbContext.&lt;Service&gt;.cs</c>), so cross-service queries join.
/// Use it through <see cref="IDbContextFactory{TContext}"/>: one context per operation.
/// </summary>
public partial class PlatformDbContext(DbContextOptions<PlatformDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__ef_migrations_history";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.HasDefaultSchema("public");
        ConfigurePlatformModel(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(
            typeof(PlatformDbContext).Assembly,
            t => t.Namespace is { } ns && !ns.StartsWith(typeof(Portal.PortalDbContext).Namespace!, StringComparison.Ordinal));
    }

    /// <summary>Extensions, enum types and other model-wide settings (generated).</summary>
    static partial void ConfigurePlatformModel(ModelBuilder modelBuilder);
}
