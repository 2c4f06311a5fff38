using Hangfire.Dashboard;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Security;

/// <summary>Defence in depth behind the endpoint policy: only administrators and finance analysts, with their second factor.</summary>
internal sealed class HangfireDashboardAuthorizationFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true
            && TwoFactorSatisfiedRequirement.IsSatisfiedBy(user)
            && (user.IsInRole(PortalRoles.Administrator) || user.IsInRole(PortalRoles.FinanceAnalyst));
    }
}
