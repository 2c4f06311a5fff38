using Microsoft.AspNetCore.Identity;

namespace TicketToken.Data.Portal;

/// <summary>A person who signs in to the portal. Lives in schema <c>portal</c>, never in the platform's <c>users</c>.</summary>
public class PortalUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Disabled users cannot sign in, and live circuits drop them at the next revalidation.</summary>
    public bool IsDisabled { get; set; }

    public ICollection<PortalUserVenue> Venues { get; } = new List<PortalUserVenue>();
}
