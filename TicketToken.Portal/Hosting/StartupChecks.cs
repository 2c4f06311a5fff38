using Microsoft.EntityFrameworkCore;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Hosting;

/// <summary>Refuses to start in configurations that would weaken tenant isolation.</summary>
internal static partial class StartupChecks
{
    public static async Task RunAsync(WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            return;
        }

        var factory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var role = await db.Database
            .SqlQuery<RoleFlags>($"SELECT rolname AS name, rolsuper AS super, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user")
            .SingleAsync();
        if (role.Super || role.Bypass)
        {
            throw new InvalidOperationException(
                $"The portal's main connection signs in as '{role.Name}', which is a superuser or has BYPASSRLS: row-level security would not bind it. " +
                "Use a role that row-level security binds for ConnectionStrings:TicketToken (see README, 'Running on the platform database').");
        }
    }

    internal sealed record RoleFlags(string Name, bool Super, bool Bypass);
}
