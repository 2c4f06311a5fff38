using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TicketToken.Data.Portal.Configurations;

public sealed class ExplorerSavedViewConfiguration : IEntityTypeConfiguration<ExplorerSavedView>
{
    public void Configure(EntityTypeBuilder<ExplorerSavedView> builder)
    {
        builder.ToTable("explorer_saved_views", t => t.HasCheckConstraint("ck_explorer_saved_views_name_not_blank", "btrim(name) <> ''"));
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Service).HasMaxLength(64);
        builder.Property(v => v.TableName).HasMaxLength(128);
        builder.Property(v => v.Name).HasMaxLength(ExplorerSavedView.NameMaxLength);
        builder.Property(v => v.Query).HasMaxLength(ExplorerSavedView.QueryMaxLength);
        builder.Property(v => v.SharedWithRole).HasMaxLength(256);
        builder.HasIndex(v => new { v.OwnerId, v.Service, v.TableName, v.Name }).IsUnique();
        builder.HasIndex(v => new { v.Service, v.TableName, v.SharedWithRole });
        builder.HasOne(v => v.Owner).WithMany().HasForeignKey(v => v.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class ExplorerExportConfiguration : IEntityTypeConfiguration<ExplorerExport>
{
    public void Configure(EntityTypeBuilder<ExplorerExport> builder)
    {
        builder.ToTable("explorer_exports");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.RequestedByName).HasMaxLength(256);
        builder.Property(e => e.Service).HasMaxLength(64);
        builder.Property(e => e.TableName).HasMaxLength(128);
        builder.Property(e => e.Query).HasMaxLength(ExplorerSavedView.QueryMaxLength);
        builder.Property(e => e.Format).HasMaxLength(8);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.FileName).HasMaxLength(256);
        builder.Property(e => e.Error).HasMaxLength(1000);
        builder.Property(e => e.JobId).HasMaxLength(64);
        builder.HasIndex(e => new { e.RequestedBy, e.CreatedAt });
        builder.HasIndex(e => e.ExpiresAt);
        builder.HasOne<PortalUser>().WithMany().HasForeignKey(e => e.RequestedBy).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class ExplorerExportChunkConfiguration : IEntityTypeConfiguration<ExplorerExportChunk>
{
    public void Configure(EntityTypeBuilder<ExplorerExportChunk> builder)
    {
        builder.ToTable("explorer_export_chunks");
        builder.HasKey(c => new { c.ExportId, c.Sequence });
        builder.HasOne<ExplorerExport>().WithMany().HasForeignKey(c => c.ExportId).OnDelete(DeleteBehavior.Cascade);
    }
}
