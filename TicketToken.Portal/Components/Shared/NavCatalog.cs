using TicketToken.Portal.Security;

namespace TicketToken.Portal.Components.Shared;

/// <summary>Every destination of the navigation, with the policy that guards it. The menu, breadcrumbs and home page read it.</summary>
public static class NavCatalog
{
    public static readonly IReadOnlyList<NavEntry> Entries =
    [
        new("Home", "/", MudBlazor.Icons.Material.Outlined.Home, PortalPolicies.SignedIn, "home"),
        new("Venues", "/venue", MudBlazor.Icons.Material.Outlined.Stadium, PortalPolicies.VenueWorkspace, "venue"),
        new("Compliance", "/compliance", MudBlazor.Icons.Material.Outlined.Policy, PortalPolicies.ComplianceWorkspace, "compliance"),
        new("Finance", "/finance", MudBlazor.Icons.Material.Outlined.AccountBalance, PortalPolicies.FinanceWorkspace, "finance"),
        new("Support", "/support", MudBlazor.Icons.Material.Outlined.SupportAgent, PortalPolicies.SupportWorkspace, "support"),
        new("Data explorer", "/explorer", MudBlazor.Icons.Material.Outlined.TableChart, PortalPolicies.Explorer, "explorer"),
        new("Administration", "/admin", MudBlazor.Icons.Material.Outlined.AdminPanelSettings, PortalPolicies.Administration, "admin"),
        new("Jobs", "/jobs", MudBlazor.Icons.Material.Outlined.Schedule, PortalPolicies.JobsDashboard, "jobs", ExternalPage: true),
    ];

    public static NavEntry? ForPath(string relativePath)
    {
        var first = relativePath.Split('/', '?', '#')[0];
        return Entries.FirstOrDefault(e => e.Href.TrimStart('/') == first && first.Length > 0);
    }
}

/// <param name="ExternalPage">Served outside Blazor (the Hangfire dashboard): the link reloads the page.</param>
public sealed record NavEntry(string Title, string Href, string Icon, string Policy, string Id, bool ExternalPage = false);
