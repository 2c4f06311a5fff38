using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Support;
using TicketToken.Tests.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

/// <summary>The customer page's data and the unlock action, on the demo seed, as the RLS-bound app role.</summary>
public sealed class CustomerAccountsTests(SeededExplorerFixture fixture) : IClassFixture<SeededExplorerFixture>
{
    private static readonly PortalActorInfo AgentActor = new(Guid.NewGuid(), "unlock-agent@example.test", "10.0.0.7");
    private static readonly ClaimsPrincipal Agent = SeededExplorerFixture.User(PortalRoles.SupportAgent, AgentActor.UserId);

    [Fact]
    public async Task The_customer_view_has_profile_orders_tickets_sessions_and_devices()
    {
        var userId = await fixture.ScalarAsync<Guid>(
            "SELECT u.id FROM public.users u WHERE EXISTS (SELECT FROM public.orders o WHERE o.user_id = u.id) AND EXISTS (SELECT FROM public.tickets t WHERE t.user_id = u.id) ORDER BY u.id LIMIT 1");
        await ExecuteAsync($"""
            INSERT INTO public.user_sessions (tenant_id, user_id, ip_address, user_agent) SELECT tenant_id, id, '203.0.113.9', 'Firefox on Linux' FROM public.users WHERE id = '{userId}';
            INSERT INTO public.trusted_devices (tenant_id, user_id, device_fingerprint, trust_score) SELECT tenant_id, id, 'dev-fp-1', 80 FROM public.users WHERE id = '{userId}';
            """);
        var orders = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.orders WHERE user_id = '{userId}'");
        var tickets = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.tickets WHERE user_id = '{userId}'");

        var view = await Accounts().LoadAsync(Agent, userId, TestContext.Current.CancellationToken);

        Assert.NotNull(view);
        Assert.Equal(userId, view.Profile.Id);
        Assert.Equal(orders, view.OrderCount);
        Assert.Equal(tickets, view.TicketCount);
        Assert.Contains(view.Sessions, s => s.IpAddress == "203.0.113.9" && s.Active);
        Assert.Contains(view.Devices, d => d.DeviceFingerprint == "dev-fp-1");
        Assert.Equal(view.Orders.OrderByDescending(o => o.CreatedAt).Select(o => o.Id), view.Orders.Select(o => o.Id));
    }

    [Fact]
    public async Task Other_roles_cannot_load_a_customer_or_unlock()
    {
        var (tenant, userId) = await LockedUserAsync(offset: 3);
        var finance = SeededExplorerFixture.User(PortalRoles.FinanceAnalyst);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Accounts().LoadAsync(finance, userId, TestContext.Current.CancellationToken));
        var result = await Accounts().UnlockAsync(finance, tenant, userId, "customer called", TestContext.Current.CancellationToken);

        Assert.Equal(UnlockOutcome.Refused, result.Outcome);
        Assert.True(await IsLockedAsync(userId));
    }

    [Fact]
    public async Task Unlock_needs_a_reason_and_changes_nothing_without_one()
    {
        var (tenant, userId) = await LockedUserAsync(offset: 5);

        var result = await Accounts().UnlockAsync(Agent, tenant, userId, "  ", TestContext.Current.CancellationToken);

        Assert.Equal(UnlockOutcome.Invalid, result.Outcome);
        Assert.True(await IsLockedAsync(userId));
        Assert.Equal(0, await UnlockAuditCountAsync(userId));
    }

    [Fact]
    public async Task A_double_submitted_unlock_has_one_effect_and_one_audit_entry()
    {
        var (tenant, userId) = await LockedUserAsync(offset: 11);
        var accounts = Accounts();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            accounts.UnlockAsync(Agent, tenant, userId, "Customer verified by phone, ticket #4411", TestContext.Current.CancellationToken)));

        Assert.Single(results, r => r.Outcome == UnlockOutcome.Unlocked);
        Assert.Equal(3, results.Count(r => r.Outcome == UnlockOutcome.AlreadyUnlocked));
        Assert.False(await IsLockedAsync(userId));
        Assert.Equal(0, await fixture.ScalarAsync<int>($"SELECT failed_login_attempts FROM public.users WHERE id = '{userId}'"));

        await using var db = Portal();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == CustomerAccounts.UnlockAction && e.RecordKey == userId.ToString(), TestContext.Current.CancellationToken);
        Assert.Equal(AgentActor.UserId, entry.UserId);
        Assert.Equal(tenant, entry.TenantId);
        Assert.Equal("users", entry.TableName);
        Assert.Equal("Customer verified by phone, ticket #4411", entry.Reason);
        Assert.Equal(6, entry.Before!.RootElement.GetProperty("failed_login_attempts").GetInt32());
        Assert.Equal(0, entry.After!.RootElement.GetProperty("failed_login_attempts").GetInt32());

        // A later retry (a reload and a click) finds nothing to do either.
        var again = await accounts.UnlockAsync(Agent, tenant, userId, "retry", TestContext.Current.CancellationToken);
        Assert.Equal(UnlockOutcome.AlreadyUnlocked, again.Outcome);
        Assert.Equal(1, await UnlockAuditCountAsync(userId));
    }

    [Fact]
    public async Task Unlock_in_the_wrong_tenant_finds_nothing_and_changes_nothing()
    {
        var (tenant, userId) = await LockedUserAsync(offset: 13);
        var otherTenant = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.tenants WHERE id <> '{tenant}' ORDER BY id LIMIT 1");

        var result = await Accounts().UnlockAsync(Agent, otherTenant, userId, "wrong tenant", TestContext.Current.CancellationToken);

        Assert.Equal(UnlockOutcome.NotFound, result.Outcome);
        Assert.True(await IsLockedAsync(userId));
        Assert.Equal(0, await UnlockAuditCountAsync(userId));
    }

    private CustomerAccounts Accounts()
    {
        var services = fixture.App.Services;
        var platform = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        var actor = new FixedPortalActor(AgentActor);
        var access = new CrossTenantAccess(platform, services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), actor,
            services.GetRequiredService<IOptions<DataAccessOptions>>(), TimeProvider.System);
        return new CustomerAccounts(access, platform, actor, TimeProvider.System);
    }

    private async Task<(Guid Tenant, Guid User)> LockedUserAsync(int offset)
    {
        var userId = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.users WHERE role = 'user' ORDER BY id OFFSET {offset} LIMIT 1");
        var tenant = await fixture.ScalarAsync<Guid>($"SELECT tenant_id FROM public.users WHERE id = '{userId}'");
        await ExecuteAsync($"UPDATE public.users SET failed_login_attempts = 6, locked_until = now() + interval '30 minutes' WHERE id = '{userId}'");
        return (tenant, userId);
    }

    private async Task<bool> IsLockedAsync(Guid userId) =>
        await fixture.ScalarAsync<bool>($"SELECT locked_until IS NOT NULL FROM public.users WHERE id = '{userId}'");

    private async Task<int> UnlockAuditCountAsync(Guid userId)
    {
        await using var db = Portal();
        return await db.AuditEntries.CountAsync(e => e.Action == CustomerAccounts.UnlockAction && e.RecordKey == userId.ToString(), TestContext.Current.CancellationToken);
    }

    private PortalDbContext Portal() =>
        new PortalContexts(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName)).CreateDbContext();

    private async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
