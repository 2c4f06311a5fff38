using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using TicketToken.Portal.Security;

namespace TicketToken.Tests.Infrastructure;

/// <summary>Shared base of the bUnit tests: MudBlazor services, loose JS interop, and the portal's real authorization policies.</summary>
public abstract class PortalComponentTest : BunitContext
{
    protected PortalComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddAuthorizationCore(PortalPolicies.Configure);
        // Replace bUnit's placeholder with the real service, so the portal's own policies decide.
        Services.AddSingleton<IAuthorizationService, DefaultAuthorizationService>();
        Services.AddSingleton<IAuthorizationPolicyProvider, DefaultAuthorizationPolicyProvider>();
        Services.AddSingleton<IAuthorizationHandler, TwoFactorSatisfiedHandler>();
    }

    /// <summary>Signs in a user with the given roles; <paramref name="secondFactor"/> says whether they used their authenticator.</summary>
    protected void SignIn(string name, bool secondFactor, params string[] roles)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        if (secondFactor)
        {
            claims.Add(new Claim(TwoFactorSatisfiedRequirement.AuthenticationMethodClaim, "mfa"));
        }

        SignIn(new ClaimsPrincipal(new ClaimsIdentity(claims, "Test")));
    }

    /// <summary>Signs in the given user (for example a demo account as the portal would see it).</summary>
    protected void SignIn(ClaimsPrincipal principal)
    {
        Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationStateProvider(principal));
        Services.AddCascadingAuthenticationState();
    }

    private sealed class FixedAuthenticationStateProvider(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
