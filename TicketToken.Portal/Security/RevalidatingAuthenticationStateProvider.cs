using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Security;

/// <summary>
/// Re-checks a live circuit's user every few minutes (5 by default): a disabled user, a changed password or a reset
/// security stamp loses access without a reload.
/// </summary>
internal sealed class RevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> identityOptions,
    IOptions<PortalSecurityOptions> securityOptions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => securityOptions.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await IsStillValidAsync(users, identityOptions.Value, authenticationState.User);
    }

    internal static async Task<bool> IsStillValidAsync(UserManager<PortalUser> users, IdentityOptions options, ClaimsPrincipal principal)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null || user.IsDisabled || await users.IsLockedOutAsync(user))
        {
            return false;
        }

        var principalStamp = principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType);
        var userStamp = await users.GetSecurityStampAsync(user);
        return principalStamp == userStamp;
    }
}

public sealed class PortalSecurityOptions
{
    public const string Section = "Security";

    public double RevalidationIntervalMinutes { get; set; } = 5;

    public TimeSpan RevalidationInterval => TimeSpan.FromMinutes(Math.Clamp(RevalidationIntervalMinutes, 0.05, 5));
}
