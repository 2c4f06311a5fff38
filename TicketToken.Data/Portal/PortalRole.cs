using Microsoft.AspNetCore.Identity;

namespace TicketToken.Data.Portal;

public class PortalRole : IdentityRole<Guid>
{
    public PortalRole()
    {
    }

    public PortalRole(string name)
        : base(name)
    {
    }
}
