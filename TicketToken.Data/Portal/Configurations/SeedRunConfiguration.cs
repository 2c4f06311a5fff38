using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TicketToken.Data.Portal.Configurations;

public sealed class SeedRunConfiguration : IEntityTypeConfiguration<SeedRun>
{
    public void Configure(EntityTypeBuilder<SeedRun> builder)
    {
        builder.ToTable("seed_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Scale).HasMaxLength(16);
        builder.Property(r => r.Error).HasMaxLength(2000);
        builder.HasIndex(r => r.State);
    }
}
