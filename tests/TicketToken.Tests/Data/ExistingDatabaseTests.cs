using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Seeding;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Cli;
using TicketToken.Portal.Hosting;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Data;

/// <summary>
/// The portal on the platform's own database (schema.sql, with the platform's own policies and functions), as a role that
/// is neither superuser nor BYPASSRLS: Platform:Database=Existing.
/// </summary>
public sealed class ExistingDatabaseTests : IAsyncLifetime
{
    private const string PlatformRole = "tt_test_platform_app";
    private const string PlatformPassword = "tt_test_platform_app_pw";
    private string database = "";

    public async ValueTask InitializeAsync()
    {
        database = await PlatformSchemaSql.CreateDatabaseAsync("tt_existing");
        await TestDatabase.ExecuteAdminAsync($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PlatformRole}') THEN
                CREATE ROLE {PlatformRole} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{PlatformPassword}';
              END IF;
            END $$;
            """);
        // What the platform's DBA grants the portal's role on the platform tables.
        await TestDatabase.ExecuteAdminAsync(
            $"GRANT USAGE ON SCHEMA public TO {PlatformRole}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {PlatformRole}; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {PlatformRole};",
            database);
    }

    public async ValueTask DisposeAsync() => await TemplateDatabase.DropDatabaseAsync(database);

    private Dictionary<string, string?> ExistingSettings() => new()
    {
        ["Platform:Database"] = "Existing",
        ["ConnectionStrings:TicketToken"] = TestDatabase.ConnectionStringFor(database, PlatformRole, PlatformPassword),
        ["ConnectionStrings:TicketTokenAdmin"] = TestDatabase.ConnectionStringFor(database),
        ["Database:AppRole"] = PlatformRole,
    };

    [Fact]
    public async Task Starts_migrates_only_its_own_schemas_and_reads_every_entity_set_under_the_platforms_policies()
    {
        await using (var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(database)))
        {
            await new PlatformSeeder(ds).SeedAsync(new SeedOptions(SeedScale.Demo), null, TestContext.Current.CancellationToken);
        }

        Guid tenant;
        await using (var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database)))
        {
            await conn.OpenAsync(TestContext.Current.CancellationToken);
            await using var cmd = new NpgsqlCommand($"SELECT id FROM public.tenants WHERE slug = '{PlatformSeeder.DemoTenantSlug}'", conn);
            tenant = (Guid)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }

        await using var app = PortalHost.Build("Production", ExistingSettings());

        await StartupChecks.RunAsync(app);

        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '__ef_migrations_history'"));
        Assert.True(await ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'portal'") > 5);
        Assert.True(await ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'hangfire'") > 5);

        var contexts = app.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        var read = typeof(ExistingDatabaseTests).GetMethod(nameof(ReadSomeAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
        var failures = new List<string>();
        long rows = 0;
        int sets;
        await using (var probe = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            var entityTypes = probe.Model.GetEntityTypes().Select(e => e.ClrType).Distinct().ToList();
            sets = entityTypes.Count;
            foreach (var clr in entityTypes)
            {
                try
                {
                    rows += await contexts.InTenantAsync(tenant, (db, ct) => (Task<int>)read.MakeGenericMethod(clr).Invoke(null, [db, ct])!, TestContext.Current.CancellationToken);
                }
                catch (Exception ex) when (ex is PostgresException or InvalidOperationException or InvalidCastException)
                {
                    failures.Add($"{clr.Name}: {ex.Message}");
                }
            }
        }

        Assert.Empty(failures);
        Assert.Equal(346, sets);
        Assert.True(rows > 1000, $"only {rows} rows were read in the demo tenant");
    }

    [Fact]
    public async Task A_missing_column_stops_startup_and_db_check_with_a_report()
    {
        await TestDatabase.ExecuteAdminAsync("ALTER TABLE public.orders DROP COLUMN total_cents CASCADE", database);
        await using var app = PortalHost.Build("Production", ExistingSettings());

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => StartupChecks.RunAsync(app));

        Assert.Contains("column public.orders.total_cents is missing", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, await DatabaseCommands.RunAsync(CheckArguments()));
    }

    [Fact]
    public async Task Db_check_passes_on_the_platforms_schema()
    {
        await using (var app = PortalHost.Build("Production", ExistingSettings()))
        {
            await StartupChecks.RunAsync(app);
        }

        Assert.Equal(0, await DatabaseCommands.RunAsync(CheckArguments()));
    }

    private string[] CheckArguments() =>
        ["db", "check", .. ExistingSettings().Select(kv => $"--{kv.Key}={kv.Value}")];

    private static async Task<int> ReadSomeAsync<T>(PlatformDbContext db, CancellationToken ct)
        where T : class => (await db.Set<T>().AsNoTracking().Take(50).ToListAsync(ct)).Count;

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
