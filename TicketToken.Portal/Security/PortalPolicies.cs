using Microsoft.AspNetCore.Authorization;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Security;

/// <summary>Authorization policies: one per workspace. Every policy also demands the second factor where the user's roles require it.</summary>
public static class PortalPolicies
{
    /// <summary>Signed in, second factor satisfied. The default for every page.</summary>
    public const string SignedIn = "SignedIn";

    /// <summary>Signed in with a password only: the pages a user must reach to enroll a second factor.</summary>
    public const string Enrollment = "Enrollment";

    public const string Administration = "Administration";
    public const string VenueWorkspace = "VenueWorkspace";
    public const string ComplianceWorkspace = "ComplianceWorkspace";
    public const string FinanceWorkspace = "FinanceWorkspace";
    public const string SupportWorkspace = "SupportWorkspace";
    public const string JobsDashboard = "JobsDashboard";
    public const string Explorer = "Explorer";

    /// <summary>The support order page: agents and administrators act; finance analysts read (and approve refunds).</summary>
    public const string SupportOrders = "SupportOrders";

    public static readonly IReadOnlyDictionary<string, string[]> RolesByPolicy = new Dictionary<string, string[]>
    {
        [Administration] = [PortalRoles.Administrator],
        [VenueWorkspace] = [PortalRoles.VenueManager, PortalRoles.Administrator],
        [ComplianceWorkspace] = [PortalRoles.ComplianceOfficer, PortalRoles.Administrator],
        [FinanceWorkspace] = [PortalRoles.FinanceAnalyst, PortalRoles.Administrator],
        [SupportWorkspace] = [PortalRoles.SupportAgent, PortalRoles.Administrator],
        [JobsDashboard] = [PortalRoles.Administrator, PortalRoles.FinanceAnalyst],
        // Every role reads some tables; which ones, and which rows, the explorer decides per table.
        [Explorer] = [.. PortalRoles.All],
        [SupportOrders] = [PortalRoles.SupportAgent, PortalRoles.Administrator, PortalRoles.FinanceAnalyst],
    };

    public static void Configure(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var signedIn = new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(new TwoFactorSatisfiedRequirement())
            .Build();
        options.DefaultPolicy = signedIn;
        options.FallbackPolicy = signedIn;
        options.AddPolicy(SignedIn, signedIn);
        options.AddPolicy(Enrollment, p => p.RequireAuthenticatedUser());
        foreach (var (name, roles) in RolesByPolicy)
        {
            options.AddPolicy(name, p => p
                .RequireAuthenticatedUser()
                .AddRequirements(new TwoFactorSatisfiedRequirement())
                .RequireRole(roles));
        }
    }
}
