namespace TicketToken.Data.Portal;

/// <summary>The portal's roles. Names are stored in <c>portal.roles</c> and used in authorization policies.</summary>
public static class PortalRoles
{
    public const string Administrator = "Administrator";
    public const string VenueManager = "VenueManager";
    public const string ComplianceOfficer = "ComplianceOfficer";
    public const string FinanceAnalyst = "FinanceAnalyst";
    public const string SupportAgent = "SupportAgent";

    public static readonly IReadOnlyList<string> All =
        [Administrator, VenueManager, ComplianceOfficer, FinanceAnalyst, SupportAgent];

    /// <summary>Roles that move money or decide compliance cases: they must sign in with a second factor.</summary>
    public static readonly IReadOnlyList<string> RequireTwoFactor = [Administrator, FinanceAnalyst, ComplianceOfficer];

    public static string DisplayName(string role) => role switch
    {
        Administrator => "Administrator",
        VenueManager => "Venue manager",
        ComplianceOfficer => "Compliance officer",
        FinanceAnalyst => "Finance analyst",
        SupportAgent => "Support agent",
        _ => role,
    };
}
