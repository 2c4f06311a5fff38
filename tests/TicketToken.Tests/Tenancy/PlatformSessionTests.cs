using Microsoft.EntityFrameworkCore;
using TicketToken.Data.Tenancy;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Tenancy;

public sealed class PlatformSessionTests() : TemplateDatabaseTest("tt_session")
{
    [Fact]
    public async Task Tenant_settings_never_leak_through_a_pooled_connection()
    {
        var a = await PlatformRows.AddTenantWithUserAsync(Database, "iso-a");
        var b = await PlatformRows.AddTenantWithUserAsync(Database, "iso-b");
        var far = DateTimeOffset.UtcNow.AddDays(1);
        await PlatformRows.AddInvalidatedTokenAsync(Database, a.Tenant, a.User, "token-a", far);
        await PlatformRows.AddInvalidatedTokenAsync(Database, b.Tenant, b.User, "token-b", far);
        // One physical connection, reused by every context below.
        var contexts = new AppContexts(TemplateDatabase.AppConnectionString(Database) + ";Maximum Pool Size=1");
        var ct = TestContext.Current.CancellationToken;

        var seenByA = await contexts.InTenantAsync(a.Tenant, (db, c) => Tokens(db, c), ct);
        var seenByB = await contexts.InTenantAsync(b.Tenant, (db, c) => Tokens(db, c), ct);
        await using var plain = contexts.CreateDbContext();
        var seenWithoutContext = await Tokens(plain, ct);
        var leftOver = await plain.Database.SqlQuery<string>($"SELECT coalesce(current_setting('app.current_tenant_id', true), '') AS \"Value\"").SingleAsync(ct);

        Assert.Equal(["token-a"], seenByA);
        Assert.Equal(["token-b"], seenByB);
        Assert.Empty(seenWithoutContext);
        Assert.Equal("", leftOver);
    }

    [Fact]
    public async Task A_tenant_cannot_write_a_row_into_another_tenant()
    {
        var a = await PlatformRows.AddTenantWithUserAsync(Database, "write-a");
        var b = await PlatformRows.AddTenantWithUserAsync(Database, "write-b");
        var contexts = new AppContexts(TemplateDatabase.AppConnectionString(Database));

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => contexts.InTenantAsync(a.Tenant, (db, c) =>
            db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO public.invalidated_tokens (token, tenant_id, user_id, expires_at) VALUES ('smuggled', {b.Tenant}, {b.User}, now())", c),
            TestContext.Current.CancellationToken));
        Assert.DoesNotContain("smuggled", await PlatformRows.TokensAsync(Database));
    }

    private static Task<List<string>> Tokens(TicketToken.Data.PlatformDbContext db, CancellationToken ct) =>
        db.Database.SqlQuery<string>($"SELECT token AS \"Value\" FROM public.invalidated_tokens ORDER BY token").ToListAsync(ct);
}
