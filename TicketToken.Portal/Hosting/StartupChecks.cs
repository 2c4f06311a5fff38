using Microsoft.EntityFrameworkCore;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Portal.Cli;

namespace TicketToken.Portal.Hosting;

/// <summary>
/// Runs before the portal serves anything. On the platform's existing database it applies the portal's and Hangfire's
/// migrations and checks the platform tables against the model; outside Development it refuses a main connection whose
/// role would not be bound by row-level security.
/// </summary>
internal static class StartupChecks
{
    public static async Task RunAsync(WebApplication app)
    {
        var configuration = app.Configuration;
        if (PlatformDatabaseMode.IsExisting(configuration))
        {
            await DatabaseMigrator.MigrateAsync(
                configuration.GetTicketTokenAdminConnectionString(), existingPlatform: true,
                configuration["Database:AppRole"], configuration["Database:StaffReadRole"]);
            var platform = app.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
            await using var db = await platform.CreateDbContextAsync();
            var problems = await PlatformSchemaCheck.FindProblemsAsync(db);
            if (problems.Count > 0)
            {
                throw new StartupRefusedException(
                    $"The platform database lacks {problems.Count} thing(s) the portal needs (Platform:Database=Existing):{Environment.NewLine}" +
                    string.Join(Environment.NewLine, problems.Select(p => $"  - {p}")) +
                    $"{Environment.NewLine}'db check' prints the same report.");
            }
        }

        if (app.Environment.IsDevelopment())
        {
            return;
        }

        var factory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var portal = await factory.CreateDbContextAsync();
        var role = await portal.Database
            .SqlQuery<RoleFlags>($"SELECT rolname AS name, rolsuper AS super, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user")
            .SingleAsync();
        if (role.Super || role.Bypass)
        {
            throw new StartupRefusedException(
                $"The portal's main connection signs in as '{role.Name}', which is a superuser or has BYPASSRLS: row-level security would not bind it. " +
                "Use a role that row-level security binds for ConnectionStrings:TicketToken (see README, 'Configuration').");
        }
    }

    internal sealed record RoleFlags(string Name, bool Super, bool Bypass);
}

/// <summary>The portal will not start in this configuration; the message says why and what to change.</summary>
public sealed class StartupRefusedException : Exception
{
    public StartupRefusedException()
    {
    }

    public StartupRefusedException(string message)
        : base(message)
    {
    }

    public StartupRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
