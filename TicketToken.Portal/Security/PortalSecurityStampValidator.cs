using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Security;

/// <summary>The cookie's own periodic check (every HTTP request, at most every few minutes) also refuses disabled users.</summary>
internal sealed class PortalSecurityStampValidator(
    IOptions<SecurityStampValidatorOptions> options,
    SignInManager<PortalUser> signInManager,
    ILoggerFactory logger)
    : SecurityStampValidator<PortalUser>(options, signInManager, logger)
{
    protected override async Task<PortalUser?> VerifySecurityStamp(System.Security.Claims.ClaimsPrincipal? principal)
    {
        var user = await base.VerifySecurityStamp(principal);
        return user is { IsDisabled: false } ? user : null;
    }
}
