using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Security;

/// <summary>Users holding a role that moves money or decides compliance must have signed in with a second factor.</summary>
public sealed class TwoFactorSatisfiedRequirement : IAuthorizationRequirement
{
    /// <summary>The claim type Identity sets when a user signs in with a second factor (value <c>mfa</c>).</summary>
    public const string AuthenticationMethodClaim = "amr";

    public static bool RequiresTwoFactor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return PortalRoles.RequireTwoFactor.Any(user.IsInRole);
    }

    public static bool HasSecondFactor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.HasClaim(AuthenticationMethodClaim, "mfa");
    }

    public static bool IsSatisfiedBy(ClaimsPrincipal user) => !RequiresTwoFactor(user) || HasSecondFactor(user);
}

public sealed class TwoFactorSatisfiedHandler : AuthorizationHandler<TwoFactorSatisfiedRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TwoFactorSatisfiedRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.Identity?.IsAuthenticated == true && TwoFactorSatisfiedRequirement.IsSatisfiedBy(context.User))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
