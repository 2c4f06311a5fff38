using System.Security.Claims;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Explorer;

public enum ExplorerAction
{
    Read,
    Create,
    Update,

    /// <summary>Soft delete: sets <c>deleted_at</c>.</summary>
    Delete,
    Restore,

    /// <summary>Removes the row: Administrator only.</summary>
    HardDelete,
}

/// <summary>
/// Who may do what to which table, by service, table and action. Administrators: everything. Other roles write only where
/// their workspace will, and stay conservative until those workspaces exist. Checked by <see cref="ExplorerWriter"/> on the
/// server for every write (buttons only mirror it); venue managers are further held to their tenant (row-level security)
/// and their venues' rows.
/// </summary>
public static class ExplorerWritePolicy
{
    /// <summary>Tables support agents may add to and edit (service/table → actions).</summary>
    public static readonly IReadOnlyDictionary<string, ExplorerAction[]> SupportTables = new Dictionary<string, ExplorerAction[]>(StringComparer.Ordinal)
    {
        ["order/order_notes"] = [ExplorerAction.Create, ExplorerAction.Update],
    };

    /// <summary>Services whose venue-scoped tables venue managers maintain for their own venues.</summary>
    public static readonly IReadOnlyList<string> VenueManagerServices = ["venue", "event", "ticket"];

    public static bool Allows(ClaimsPrincipal user, ExplorerTable table, ExplorerAction action)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(table);
        if (action == ExplorerAction.Read)
        {
            return ExplorerAccess.ScopeFor(user, table) != ExplorerScope.None;
        }

        // The explorer writes rows it can name by one key.
        if (table.Key.Count != 1)
        {
            return false;
        }

        if (action is ExplorerAction.Delete or ExplorerAction.Restore && table.Column("deleted_at") is null)
        {
            return false;
        }

        if (user.IsInRole(PortalRoles.Administrator))
        {
            return true;
        }

        if (action == ExplorerAction.HardDelete)
        {
            return false;
        }

        if (user.IsInRole(PortalRoles.SupportAgent)
            && SupportTables.TryGetValue($"{table.Service}/{table.Name}", out var actions) && actions.Contains(action))
        {
            return true;
        }

        if (user.IsInRole(PortalRoles.VenueManager)
            && VenueManagerServices.Contains(table.Service)
            && ExplorerAccess.ScopeFor(user, table) == ExplorerScope.OwnVenues)
        {
            // A new venue is not theirs yet: venues are created by staff and linked to the manager.
            return !(action == ExplorerAction.Create && table.Name == "venues");
        }

        return false;
    }

    /// <summary>
    /// The scope a write runs in: staff across tenants (under the row's own tenant), venue managers in their tenant and venues,
    /// even when another role of theirs reads more widely.
    /// </summary>
    public static ExplorerScope WriteScope(ClaimsPrincipal user, ExplorerTable table)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(table);
        if (user.IsInRole(PortalRoles.Administrator)
            || (user.IsInRole(PortalRoles.SupportAgent) && SupportTables.ContainsKey($"{table.Service}/{table.Name}")))
        {
            return ExplorerScope.AllTenants;
        }

        return user.IsInRole(PortalRoles.VenueManager) && ExplorerAccess.VenueColumn(table) is not null ? ExplorerScope.OwnVenues : ExplorerScope.None;
    }
}
