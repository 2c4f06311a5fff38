namespace TicketToken.Data.Portal;

/// <summary>Links a venue manager to a platform venue (and its tenant). The venue lives in the platform's tables.</summary>
public class PortalUserVenue
{
    public Guid UserId { get; set; }

    public Guid TenantId { get; set; }

    public Guid VenueId { get; set; }

    public PortalUser? User { get; set; }
}
