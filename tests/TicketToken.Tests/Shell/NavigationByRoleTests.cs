using Bunit;
using TicketToken.Data.Portal;
using TicketToken.Portal.Components.Layout;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Shell;

public sealed class NavigationByRoleTests : PortalComponentTest
{
    public static TheoryData<string, string[]> Expected => new()
    {
        { PortalRoles.Administrator, ["home", "venue", "compliance", "finance", "support", "explorer", "admin", "jobs", "account"] },
        { PortalRoles.VenueManager, ["home", "venue", "explorer", "account"] },
        { PortalRoles.ComplianceOfficer, ["home", "compliance", "explorer", "account"] },
        { PortalRoles.FinanceAnalyst, ["home", "finance", "explorer", "jobs", "account"] },
        { PortalRoles.SupportAgent, ["home", "support", "explorer", "account"] },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void The_menu_shows_only_what_the_role_may_use(string role, string[] expected)
    {
        SignIn("someone@example.test", secondFactor: true, role);

        var menu = Render<NavMenu>();

        var shown = menu.FindAll("[data-nav]").Select(a => a.GetAttribute("data-nav")).ToArray();
        Assert.Equal(expected, shown);
    }

    [Fact]
    public void Several_roles_add_up()
    {
        SignIn("both@example.test", secondFactor: true, PortalRoles.SupportAgent, PortalRoles.VenueManager);

        var shown = Render<NavMenu>().FindAll("[data-nav]").Select(a => a.GetAttribute("data-nav")).ToArray();

        Assert.Equal(["home", "venue", "support", "explorer", "account"], shown);
    }

    [Fact]
    public void Without_the_required_second_factor_only_the_account_page_is_offered()
    {
        SignIn("finance@example.test", secondFactor: false, PortalRoles.FinanceAnalyst);

        var shown = Render<NavMenu>().FindAll("[data-nav]").Select(a => a.GetAttribute("data-nav")).ToArray();

        Assert.Equal(["account"], shown);
    }
}
