using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TicketToken.Data.Portal.Configurations;

public sealed class PortalUserVenueConfiguration : IEntityTypeConfiguration<PortalUserVenue>
{
    public void Configure(EntityTypeBuilder<PortalUserVenue> builder)
    {
        builder.ToTable("user_venues");
        builder.HasKey(v => new { v.UserId, v.VenueId });
        builder.HasIndex(v => v.VenueId);
    }
}
