using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Security;

/// <summary>The signed-in user, read from the authentication state (works in a circuit, where HttpContext is gone).</summary>
internal sealed class CircuitPortalActor(AuthenticationStateProvider authentication, IHttpContextAccessor http) : IPortalActor
{
    public async ValueTask<PortalActorInfo> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var id = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var parsed) ? parsed : (Guid?)null;
        return new PortalActorInfo(id, user.Identity?.Name ?? "anonymous", http.HttpContext?.Connection.RemoteIpAddress?.ToString());
    }
}
