using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TicketToken.Data.Portal.Configurations;

public sealed class PortalAuditEntryConfiguration : IEntityTypeConfiguration<PortalAuditEntry>
{
    public void Configure(EntityTypeBuilder<PortalAuditEntry> builder)
    {
        builder.ToTable("audit_log");
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.Property(a => a.OccurredAt).HasDefaultValueSql("now()");
        builder.Property(a => a.UserName).HasMaxLength(256);
        builder.Property(a => a.Action).HasMaxLength(100);
        builder.Property(a => a.TableName).HasMaxLength(128);
        builder.Property(a => a.RecordKey).HasMaxLength(400);
        builder.Property(a => a.Reason).HasMaxLength(1000);
        builder.Property(a => a.IpAddress).HasMaxLength(64);
        builder.Property(a => a.Before).HasColumnType("jsonb");
        builder.Property(a => a.After).HasColumnType("jsonb");
        builder.HasIndex(a => a.OccurredAt);
        builder.HasIndex(a => new { a.TableName, a.RecordKey });
        builder.HasIndex(a => a.UserId);
    }
}
