using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Components.Account;

internal static class AccountEndpoints
{
    public static IEndpointConventionBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/Account");
        group.MapPost("/Logout", async ([FromServices] SignInManager<PortalUser> signInManager, [FromForm] string? returnUrl) =>
        {
            await signInManager.SignOutAsync();
            var target = string.IsNullOrEmpty(returnUrl) || !System.Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) || returnUrl.StartsWith("//", StringComparison.Ordinal)
                ? "~/Account/Login"
                : $"~/{returnUrl.TrimStart('/')}";
            return TypedResults.LocalRedirect(target);
        }).AllowAnonymous();
        return group;
    }
}
