using Microsoft.EntityFrameworkCore;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Auth;
using TicketToken.Data.Notification;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data;

/// <summary>
/// Row-level security on a fresh install, seen by a login that is neither superuser nor BYPASSRLS, the way
/// the portal connects: tenant context per transaction through set_config(..., true).
/// </summary>
public sealed class PlatformRowLevelSecurityTests
{
    private static readonly Guid TenantA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid TenantB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");

    [Fact]
    public async Task Policies_isolate_tenants_for_an_application_role()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await TemplateDatabase.CreateDatabaseAsync("tt_rls");
        var role = TestDatabase.UniqueName("tt_app");
        try
        {
            await SeedAsSuperuserAsync(database);
            await TestDatabase.ExecuteAdminAsync($"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'rls-test'");
            await TestDatabase.ExecuteAdminAsync(
                $"GRANT USAGE ON SCHEMA public TO {role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};",
                database);

            await using var db = new PlatformDbContext(TemplateDatabase.ContextOptions(
                TestDatabase.ConnectionStringFor(database, role, "rls-test")));

            // No setting: no rows, on tenant tables and auth tables alike.
            var none = await VisibleAsync(db, tenant: null, system: false, ct);
            Assert.Equal((0, 0, 0), none);

            // Tenant A sees exactly its own rows.
            var a = await VisibleAsync(db, TenantA.ToString(), system: false, ct);
            Assert.Equal((2, 1, 1), a);
            Assert.Equal((1, 1, 1), await VisibleAsync(db, TenantB.ToString(), system: false, ct));
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await SetAsync(db, "app.current_tenant_id", TenantA.ToString(), ct);
                Assert.All(await db.AbTestMetrics.Select(m => m.TenantId).ToListAsync(ct), t => Assert.Equal(TenantA, t));
                Assert.All(await db.Users.Select(u => u.TenantId).ToListAsync(ct), t => Assert.Equal(TenantA, t));
            }

            // The system user opens tenant tables across tenants, but not the auth tables.
            Assert.Equal((3, 0, 0), await VisibleAsync(db, tenant: null, system: true, ct));

            // An empty tenant id means no tenant, without a cast error.
            Assert.Equal((0, 0, 0), await VisibleAsync(db, tenant: "", system: false, ct));

            // WITH CHECK: tenant A cannot write a row for tenant B.
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await SetAsync(db, "app.current_tenant_id", TenantA.ToString(), ct);
                db.AbTestMetrics.Add(Metric(TenantB));
                var e = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(e.InnerException).SqlState);
            }
        }
        finally
        {
            await TemplateDatabase.DropDatabaseAsync(database);
            await TestDatabase.ExecuteAdminAsync($"DROP ROLE IF EXISTS {role}");
        }
    }

    [Fact]
    public async Task Updated_at_is_kept_current_by_trigger()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await TemplateDatabase.CreateDatabaseAsync("tt_trg");
        try
        {
            await SeedAsSuperuserAsync(database);
            await using var db = new PlatformDbContext(TemplateDatabase.ContextOptions(TestDatabase.ConnectionStringFor(database)));
            var user = await db.Users.SingleAsync(u => u.Email == "a@example.com", ct);
            var before = user.UpdatedAt;
            user.DisplayName = "Renamed";
            await db.SaveChangesAsync(ct);
            var after = await db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.UpdatedAt).SingleAsync(ct);
            Assert.True(after > before, $"updated_at stayed {before:O}");
        }
        finally
        {
            await TemplateDatabase.DropDatabaseAsync(database);
        }
    }

    private static async Task SeedAsSuperuserAsync(string database)
    {
        // A superuser bypasses row-level security: the seed goes through the EF model unfiltered.
        await using var db = new PlatformDbContext(TemplateDatabase.ContextOptions(TestDatabase.ConnectionStringFor(database)));
        var past = DateTimeOffset.UtcNow.AddDays(-1);
        foreach (var (tenant, slug) in new[] { (TenantA, "tenant-a"), (TenantB, "tenant-b") })
        {
            var user = new User { TenantId = tenant, Email = $"{slug[^1]}@example.com", PasswordHash = "x", UpdatedAt = past, CreatedAt = past };
            db.Tenants.Add(new Tenant { Id = tenant, Name = slug, Slug = slug });
            db.Users.Add(user);
            db.InvalidatedTokens.Add(new InvalidatedToken { Token = $"token-{slug}", TenantId = tenant, User = user, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });
            db.AbTestMetrics.Add(Metric(tenant));
        }

        db.AbTestMetrics.Add(Metric(TenantA));
        await db.SaveChangesAsync();
    }

    private static AbTestMetric Metric(Guid tenant) => new()
    {
        TenantId = tenant,
        TestId = Guid.NewGuid(),
        VariantId = "A",
        MetricName = "conversion",
        Value = 1.5m,
        RecordedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Rows visible in (ab_test_metrics, users, invalidated_tokens) within one transaction with the given settings.</summary>
    private static async Task<(int Metrics, int Users, int Tokens)> VisibleAsync(PlatformDbContext db, string? tenant, bool system, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (tenant is not null)
        {
            await SetAsync(db, "app.current_tenant_id", tenant, ct);
        }

        if (system)
        {
            await SetAsync(db, "app.is_system_user", "true", ct);
        }

        return (await db.AbTestMetrics.CountAsync(ct), await db.Users.CountAsync(ct), await db.InvalidatedTokens.CountAsync(ct));
    }

    private static Task<int> SetAsync(PlatformDbContext db, string setting, string value, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("SELECT set_config({0}, {1}, true)", [setting, value], ct);
}
