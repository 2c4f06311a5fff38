using Hangfire.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Jobs.Infrastructure;

namespace TicketToken.Portal.Cli;

/// <summary>
/// Applies every schema the portal owns: <c>portal</c> (Identity, audit log, keys), the platform's <c>public</c> schema
/// unless the portal runs on the platform's existing database, and Hangfire's <c>hangfire</c>. Each has its own history.
/// </summary>
public static class DatabaseMigrator
{
    public static async Task<IReadOnlyList<string>> MigrateAsync(
        string connectionString, bool existingPlatform, string? appRole, string? staffReadRole = null, CancellationToken cancellationToken = default)
    {
        var log = new List<string>();

        var portalOptions = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.ConfigurePortal(portalOptions, connectionString);
        await using (var portal = new PortalDbContext(portalOptions.Options))
        {
            var pending = (await portal.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await portal.Database.MigrateAsync(cancellationToken);
            log.Add($"portal: {pending.Count} migration(s) applied");
        }

        if (!existingPlatform)
        {
            var platformOptions = new DbContextOptionsBuilder<PlatformDbContext>();
            DataServiceCollectionExtensions.ConfigurePlatform(platformOptions, connectionString);
            await using var platform = new PlatformDbContext(platformOptions.Options);
            platform.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            var pending = (await platform.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await platform.Database.MigrateAsync(cancellationToken);
            log.Add($"platform: {pending.Count} migration(s) applied");
        }
        else
        {
            log.Add("platform: existing database, not migrated (see 'db check')");
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            PostgreSqlObjectsInstaller.Install(connection, JobsServiceCollectionExtensions.HangfireSchema);
            log.Add("hangfire: schema installed or up to date");
        }

        if (!string.IsNullOrWhiteSpace(appRole))
        {
            await GrantAsync(connectionString, appRole, existingPlatform, cancellationToken);
            log.Add($"granted data access to role {appRole}");
        }

        if (!string.IsNullOrWhiteSpace(staffReadRole))
        {
            await GrantReadAsync(connectionString, staffReadRole, cancellationToken);
            log.Add($"granted read access on the platform tables to role {staffReadRole}");
        }

        return log;
    }

    /// <summary>The staff reader only reads the platform's tables.</summary>
    private static async Task GrantReadAsync(string connectionString, string role, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(role);
        await using var cmd = new NpgsqlCommand($"GRANT USAGE ON SCHEMA public TO {quoted}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {quoted};", connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The runtime role reads and writes rows; it owns nothing and cannot change the schema.</summary>
    private static async Task GrantAsync(string connectionString, string role, bool existingPlatform, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(role);
        var schemas = existingPlatform ? new[] { "portal", "hangfire" } : ["public", "portal", "hangfire"];
        foreach (var schema in schemas)
        {
            var sql = $"""
                GRANT USAGE ON SCHEMA {schema} TO {quoted};
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted};
                GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted};
                GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {quoted};
                """;
            await using var cmd = new NpgsqlCommand(sql, connection);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
