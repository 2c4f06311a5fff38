using System.Security.Claims;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Explorer;

public enum ExplorerScope
{
    /// <summary>May not read this table.</summary>
    None,

    /// <summary>Platform staff: every tenant's rows, recorded as a cross-tenant read.</summary>
    AllTenants,

    /// <summary>Venue managers: their tenant only (row-level security), and only their venues' rows.</summary>
    OwnVenues,
}

/// <summary>Which roles read which services' tables. Administrators read everything; writes come later, per workspace.</summary>
public static class ExplorerAccess
{
    public static readonly IReadOnlyDictionary<string, string[]> ServicesByRole = new Dictionary<string, string[]>
    {
        [PortalRoles.SupportAgent] = ["auth", "order", "ticket", "payment", "notification", "transfer", "marketplace", "scanning", "event", "venue", "minting"],
        [PortalRoles.FinanceAnalyst] = ["payment", "order", "marketplace", "transfer", "venue", "event", "ticket"],
        [PortalRoles.ComplianceOfficer] = ["compliance", "venue", "payment", "file", "auth"],
        [PortalRoles.VenueManager] = ["venue", "event", "ticket", "order", "scanning"],
    };

    public static ExplorerScope ScopeFor(ClaimsPrincipal user, ExplorerTable table)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(table);
        if (user.IsInRole(PortalRoles.Administrator))
        {
            return ExplorerScope.AllTenants;
        }

        foreach (var role in new[] { PortalRoles.SupportAgent, PortalRoles.FinanceAnalyst, PortalRoles.ComplianceOfficer })
        {
            if (user.IsInRole(role) && ServicesByRole[role].Contains(table.Service))
            {
                return ExplorerScope.AllTenants;
            }
        }

        if (user.IsInRole(PortalRoles.VenueManager) && ServicesByRole[PortalRoles.VenueManager].Contains(table.Service) && VenueColumn(table) is not null)
        {
            return ExplorerScope.OwnVenues;
        }

        return ExplorerScope.None;
    }

    /// <summary>How a venue manager's rows are found: the venue itself, a venue_id column, or an event_id column.</summary>
    public static string? VenueColumn(ExplorerTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Name == "venues")
        {
            return "id";
        }

        return table.Column("venue_id") is { Kind: ColumnKind.Guid } ? "venue_id"
            : table.Column("event_id") is { Kind: ColumnKind.Guid } ? "event_id"
            : null;
    }
}
