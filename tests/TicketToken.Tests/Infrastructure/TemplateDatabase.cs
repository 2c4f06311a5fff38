using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Portal.Cli;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// A fresh install of everything the portal owns (schemas portal, public and hangfire, with data rights granted to the
/// RLS-bound <see cref="AppRole"/>, exactly as 'db migrate' makes it), migrated once per test run into a template
/// database (<c>tt_tpl_&lt;hash of the migration scripts&gt;</c>) and copied with <c>CREATE DATABASE ... TEMPLATE</c> for
/// each test that needs one. The template survives the run, so the next run with the same migrations skips
/// migrating; building a new template drops the outdated ones. Guarded against concurrent test processes by a
/// PostgreSQL advisory lock.
/// </summary>
public static class TemplateDatabase
{
    /// <summary>The role the portal runs as in tests: no superuser, no BYPASSRLS, data rights only.</summary>
    public const string AppRole = "tt_test_app";
    public const string AppPassword = "tt_test_app_pw";

    /// <summary>The staff reader: may bypass row-level security, reads only.</summary>
    public const string StaffReadRole = "tt_test_staff_reader";
    public const string StaffReadPassword = "tt_test_staff_reader_pw";

    private const long AdvisoryLockKey = 0x7474_706c_6174; // "ttplat"
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? s_templateName;

    /// <summary>How long migrating the template (portal, platform, hangfire) took in this process, if this process migrated it.</summary>
    public static TimeSpan? MigrationDuration { get; private set; }

    /// <summary>Creates a database from the migrated template and returns its name; drop it with <see cref="DropDatabaseAsync"/>.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var template = await EnsureTemplateAsync();
        var name = TestDatabase.UniqueName(prefix);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
                return name;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                // Another session is still attached to the template (e.g. a concurrent CREATE DATABASE).
                await Task.Delay(100 * attempt);
            }
        }
    }

    public static Task DropDatabaseAsync(string name) =>
        TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");

    /// <summary>A connection as the RLS-bound app role.</summary>
    public static string AppConnectionString(string database) =>
        TestDatabase.ConnectionStringFor(database, AppRole, AppPassword) + ";Pooling=true;Maximum Pool Size=20";

    /// <summary>A connection as the read-only staff role that bypasses row-level security.</summary>
    public static string StaffReadConnectionString(string database) =>
        TestDatabase.ConnectionStringFor(database, StaffReadRole, StaffReadPassword);

    /// <summary>Options for a <see cref="PlatformDbContext"/> configured as the application configures it.</summary>
    public static DbContextOptions<PlatformDbContext> ContextOptions(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PlatformDbContext>();
        DataServiceCollectionExtensions.ConfigurePlatform(builder, connectionString);
        return builder.Options;
    }

    /// <summary>The name of the migrated template database, creating it when needed.</summary>
    public static async Task<string> EnsureTemplateAsync()
    {
        if (s_templateName is not null)
        {
            return s_templateName;
        }

        await Gate.WaitAsync();
        try
        {
            if (s_templateName is not null)
            {
                return s_templateName;
            }

            var name = $"tt_tpl_{MigrationHash()}";
            await TestDatabase.ExecuteAdminAsync($"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AppRole}') THEN
                    CREATE ROLE {AppRole} LOGIN NOBYPASSRLS PASSWORD '{AppPassword}';
                  END IF;
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{StaffReadRole}') THEN
                    CREATE ROLE {StaffReadRole} LOGIN BYPASSRLS PASSWORD '{StaffReadPassword}';
                  END IF;
                END $$;
                """);
            await using var lockConnection = new NpgsqlConnection(TestDatabase.ConnectionStringFor("postgres"));
            await lockConnection.OpenAsync();
            await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLockKey})", lockConnection))
            {
                await lockCmd.ExecuteNonQueryAsync();
            }

            try
            {
                if (!await DatabaseExistsAsync(lockConnection, name))
                {
                    await BuildTemplateAsync(name);
                }
            }
            finally
            {
                await using var unlockCmd = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", lockConnection);
                await unlockCmd.ExecuteNonQueryAsync();
            }

            s_templateName = name;
            return name;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task BuildTemplateAsync(string name)
    {
        // Migrate under a working name and rename at the end: a template that exists is complete.
        var building = name + "_build";
        await TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)");
        await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{building}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionStringFor(building)) { Pooling = false }.ConnectionString;
        var stopwatch = Stopwatch.StartNew();
        await DatabaseMigrator.MigrateAsync(connectionString, existingPlatform: false, appRole: AppRole, staffReadRole: StaffReadRole);
        MigrationDuration = stopwatch.Elapsed;
        // EF's own data sources (enum mapping) may keep a connection that Pooling=false does not govern.
        await TestDatabase.ExecuteAdminAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}' AND pid <> pg_backend_pid()");
        await TestDatabase.ExecuteAdminAsync($"ALTER DATABASE \"{building}\" RENAME TO \"{name}\"");
        await DropOutdatedTemplatesAsync(name);
    }

    /// <summary>Templates of earlier migration scripts; one still in use by another test process is left alone.</summary>
    private static async Task DropOutdatedTemplatesAsync(string current)
    {
        var outdated = new List<string>();
        await using (var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor("postgres")))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT datname FROM pg_database WHERE datname LIKE 'tt\\_tpl\\_%' AND datname NOT LIKE '%\\_build' AND datname <> $1", conn);
            cmd.Parameters.AddWithValue(current);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                outdated.Add(reader.GetString(0));
            }
        }

        foreach (var name in outdated)
        {
            try
            {
                await TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{name}\"");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                // In use by a concurrent run of other migrations; a later run drops it.
            }
        }
    }

    private static async Task<bool> DatabaseExistsAsync(NpgsqlConnection connection, string name)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", connection);
        cmd.Parameters.AddWithValue(name);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>A hash of the full migration scripts, so any change to the migrations makes a new template.</summary>
    private static string MigrationHash()
    {
        using var platform = new PlatformDbContext(ContextOptions(TestDatabase.ConnectionStringFor("postgres")));
        var portalOptions = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.ConfigurePortal(portalOptions, TestDatabase.ConnectionStringFor("postgres"));
        using var portal = new PortalDbContext(portalOptions.Options);
        var script = portal.GetService<IMigrator>().GenerateScript() + platform.GetService<IMigrator>().GenerateScript();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(script));
        return Convert.ToHexStringLower(hash)[..16];
    }
}
