using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TicketToken.Data.Portal;

/// <summary>
/// The portal's own data, in schema <c>portal</c> with its own migrations history: Identity, the audit log,
/// venue links, data-protection keys, explorer saved views and exports, and the record of large seeds. It never touches a platform table, so it can run on the platform's database.
/// </summary>
public class PortalDbContext(DbContextOptions<PortalDbContext> options)
    : IdentityDbContext<PortalUser, PortalRole, Guid, IdentityUserClaim<Guid>, IdentityUserRole<Guid>,
        IdentityUserLogin<Guid>, IdentityRoleClaim<Guid>, IdentityUserToken<Guid>>(options),
      IDataProtectionKeyContext
{
    public const string Schema = "portal";
    public const string MigrationsHistoryTable = "__ef_migrations_history";

    public DbSet<PortalAuditEntry> AuditEntries => Set<PortalAuditEntry>();

    public DbSet<PortalUserVenue> UserVenues => Set<PortalUserVenue>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<ExplorerSavedView> SavedViews => Set<ExplorerSavedView>();

    public DbSet<ExplorerExport> Exports => Set<ExplorerExport>();

    public DbSet<ExplorerExportChunk> ExportChunks => Set<ExplorerExportChunk>();

    public DbSet<SeedRun> SeedRuns => Set<SeedRun>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.OnModelCreating(builder);
        builder.HasDefaultSchema(Schema);
        builder.ApplyConfigurationsFromAssembly(
            typeof(PortalDbContext).Assembly,
            t => t.Namespace == typeof(Configurations.PortalUserConfiguration).Namespace);
    }
}
