using TicketToken.Data.Portal;

namespace TicketToken.Portal.Security;

/// <summary>One demo account per role. They exist only in Development (seeded by 'db seed'; refused at sign-in elsewhere).</summary>
public static class DemoAccounts
{
    public const string Domain = "@demo.local";
    public const string Password = "Demo-Portal-2345!";

    /// <summary>The TOTP secret (base32) of the demo accounts whose roles require two-factor sign-in. Development only.</summary>
    public const string TotpSecret = "TTDEMOPORTALTOTPSECRETKEY234567A";

    public static readonly IReadOnlyList<DemoAccount> All =
    [
        new("admin@demo.local", "Ada Admin", PortalRoles.Administrator),
        new("venue@demo.local", "Victor Venue", PortalRoles.VenueManager),
        new("compliance@demo.local", "Cora Compliance", PortalRoles.ComplianceOfficer),
        new("finance@demo.local", "Fin Analyst", PortalRoles.FinanceAnalyst),
        new("support@demo.local", "Sam Support", PortalRoles.SupportAgent),
    ];

    public static bool IsDemoAccount(string? email) =>
        email is not null && email.EndsWith(Domain, StringComparison.OrdinalIgnoreCase);
}

public sealed record DemoAccount(string Email, string DisplayName, string Role)
{
    public bool RequiresTwoFactor => PortalRoles.RequireTwoFactor.Contains(Role);
}
