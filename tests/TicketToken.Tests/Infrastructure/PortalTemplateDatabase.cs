using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Portal.Cli;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// One database migrated with everything the portal owns (portal, platform, hangfire; grants to the app role), made once
/// per test run; each test database is a copy of it (CREATE DATABASE ... TEMPLATE ...), which takes a fraction of a second.
/// </summary>
public static class PortalTemplateDatabase
{
    /// <summary>The role the portal runs as in tests: no superuser, no BYPASSRLS, data rights only.</summary>
    public const string AppRole = "tt_test_app";
    public const string AppPassword = "tt_test_app_pw";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? templateName;

    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var template = await EnsureTemplateAsync();
        var name = TestDatabase.UniqueName(prefix);
        await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return name;
    }

    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    public static string AppConnectionString(string database) =>
        TestDatabase.ConnectionStringFor(database, AppRole, AppPassword) + ";Pooling=true;Maximum Pool Size=20";

    public static string AdminConnectionString(string database) => TestDatabase.ConnectionStringFor(database);

    private static async Task<string> EnsureTemplateAsync()
    {
        if (templateName is not null)
        {
            return templateName;
        }

        await Gate.WaitAsync();
        try
        {
            if (templateName is not null)
            {
                return templateName;
            }

            var name = $"tt_portal_tpl_{MigrationsHash()}";
            await TestDatabase.ExecuteAdminAsync($"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AppRole}') THEN
                    CREATE ROLE {AppRole} LOGIN NOBYPASSRLS PASSWORD '{AppPassword}';
                  END IF;
                END $$;
                """);
            await using (var conn = new NpgsqlConnection(TestDatabase.AdminConnectionString))
            {
                await conn.OpenAsync();
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n AND datistemplate", conn);
                exists.Parameters.AddWithValue("n", name);
                if (await exists.ExecuteScalarAsync() is null)
                {
                    var building = name + "_build";
                    await TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)");
                    await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{building}\"");
                    await DatabaseMigrator.MigrateAsync(AdminConnectionString(building), existingPlatform: false, appRole: AppRole);
                    // EF's own data sources (enum mapping) keep idle connections that ClearAllPools does not reach.
                    NpgsqlConnection.ClearAllPools();
                    await TestDatabase.ExecuteAdminAsync(
                        $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}' AND pid <> pg_backend_pid()");
                    await TestDatabase.ExecuteAdminAsync($"ALTER DATABASE \"{building}\" RENAME TO \"{name}\"");
                    await TestDatabase.ExecuteAdminAsync($"ALTER DATABASE \"{name}\" WITH IS_TEMPLATE true");
                }
            }

            templateName = name;
            return name;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string MigrationsHash()
    {
        var ids = new StringBuilder();
        var portal = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.ConfigurePortal(portal, "Host=unused");
        using (var db = new PortalDbContext(portal.Options))
        {
            ids.AppendJoin(',', db.Database.GetMigrations());
        }

        var platform = new DbContextOptionsBuilder<PlatformDbContext>();
        DataServiceCollectionExtensions.ConfigurePlatform(platform, "Host=unused");
        using (var db = new PlatformDbContext(platform.Options))
        {
            ids.AppendJoin(',', db.Database.GetMigrations());
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ids.ToString())))[..12];
    }
}
