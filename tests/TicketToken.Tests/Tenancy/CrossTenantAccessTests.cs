using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Tenancy;

public sealed class CrossTenantAccessTests() : TemplateDatabaseTest("tt_cross")
{
    private static readonly PortalActorInfo Agent = new(Guid.NewGuid(), "agent@example.test", "127.0.0.1");
    [Fact]
    public async Task Staff_read_sees_auth_tables_of_every_tenant_and_is_recorded()
    {
        await PlatformRows.AddTenantWithUserAsync(Database, "cross-a");
        await PlatformRows.AddTenantWithUserAsync(Database, "cross-b");
        var access = Access(staffRead: true);

        var emails = await access.StaffReadAsync("support lookup: customer by email",
            (db, ct) => db.Database.SqlQuery<string>($"SELECT email AS \"Value\" FROM public.users ORDER BY email").ToListAsync(ct),
            TestContext.Current.CancellationToken);

        Assert.Equal(["cross-a@example.test", "cross-b@example.test"], emails);
        var audit = await AuditAsync();
        var entry = Assert.Single(audit);
        Assert.Equal(CrossTenantAccess.StaffReadAuditAction, entry.Action);
        Assert.Equal("support lookup: customer by email", entry.Reason);
        Assert.Equal(Agent.UserId, entry.UserId);
        Assert.Equal(Agent.Name, entry.UserName);
    }

    [Fact]
    public async Task Staff_read_cannot_write()
    {
        var a = await PlatformRows.AddTenantWithUserAsync(Database, "ro-a");
        var access = Access(staffRead: true);

        var error = await Assert.ThrowsAsync<PostgresException>(() => access.StaffReadAsync("try to write",
            (db, ct) => db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM public.invalidated_tokens WHERE tenant_id = {a.Tenant}", ct),
            TestContext.Current.CancellationToken));

        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
    }

    [Fact]
    public async Task Across_tenants_through_the_system_setting_is_recorded_and_leaves_auth_tables_closed()
    {
        var a = await PlatformRows.AddTenantWithUserAsync(Database, "sys-a");
        await PlatformRows.AddInvalidatedTokenAsync(Database, a.Tenant, a.User, "sys-token", DateTimeOffset.UtcNow.AddDays(1));
        var access = Access(staffRead: false);

        var tokens = await access.AcrossTenantsAsync("finance dashboard",
            (db, ct) => db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM public.invalidated_tokens").SingleAsync(ct),
            TestContext.Current.CancellationToken);

        Assert.Equal(0, tokens);
        var entry = Assert.Single(await AuditAsync());
        Assert.Equal(CrossTenantAccess.AuditAction, entry.Action);
        Assert.Equal("finance dashboard", entry.Reason);
    }

    [Fact]
    public async Task Staff_read_without_its_connection_is_refused_with_a_clear_message()
    {
        var access = Access(staffRead: false);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => access.StaffReadAsync("lookup",
            (db, ct) => db.Database.SqlQuery<long>($"SELECT 1 AS \"Value\"").SingleAsync(ct), TestContext.Current.CancellationToken));

        Assert.Contains("ConnectionStrings:TicketTokenStaffRead", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task A_read_without_a_purpose_is_refused()
    {
        var access = Access(staffRead: true);

        await Assert.ThrowsAsync<ArgumentException>(() => access.AcrossTenantsAsync(" ",
            (db, ct) => db.Database.SqlQuery<long>($"SELECT 1 AS \"Value\"").SingleAsync(ct), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_queued_staff_query_is_recorded_by_the_read_audit_writer()
    {
        await PlatformRows.AddTenantWithUserAsync(Database, "queued-a");
        await PlatformRows.AddTenantWithUserAsync(Database, "queued-b");
        await using var queue = new ReadAuditQueue(
            new PortalContexts(TemplateDatabase.AppConnectionString(Database)), Microsoft.Extensions.Logging.Abstractions.NullLogger<ReadAuditQueue>.Instance);
        var access = new CrossTenantAccess(
            new AppContexts(TemplateDatabase.AppConnectionString(Database)),
            new PortalContexts(TemplateDatabase.AppConnectionString(Database)),
            new FixedPortalActor(Agent),
            Options.Create(new DataAccessOptions { StaffReadConnectionString = TemplateDatabase.StaffReadConnectionString(Database) }),
            TimeProvider.System,
            queue);

        var counts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => access.StaffQueryAsync($"search {i}", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM public.users", connection);
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }, TestContext.Current.CancellationToken)));
        await queue.FlushAsync(TestContext.Current.CancellationToken);

        Assert.All(counts, c => Assert.Equal(2, c));
        var audit = await AuditAsync();
        Assert.Equal(20, audit.Count);
        Assert.All(audit, e => Assert.Equal(CrossTenantAccess.StaffReadAuditAction, e.Action));
        Assert.All(audit, e => Assert.Equal(Agent.UserId, e.UserId));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"search {i}").Order(), audit.Select(e => e.Reason!).Order());
    }

    [Fact]
    public async Task Read_audit_records_queued_while_the_database_refuses_them_are_written_once_it_accepts_them()
    {
        var portalConnection = TestDatabase.ConnectionStringFor(Database);
        await using (var conn = new NpgsqlConnection(portalConnection))
        {
            await conn.OpenAsync(TestContext.Current.CancellationToken);
            await using var revoke = new NpgsqlCommand("REVOKE INSERT ON portal.audit_log FROM tt_test_app", conn);
            await revoke.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var queue = new ReadAuditQueue(
            new PortalContexts(TemplateDatabase.AppConnectionString(Database)), Microsoft.Extensions.Logging.Abstractions.NullLogger<ReadAuditQueue>.Instance);
        await queue.EnqueueAsync(new PortalAuditEntry { OccurredAt = DateTimeOffset.UtcNow, UserName = "a", Action = CrossTenantAccess.StaffReadAuditAction, Reason = "while refused" },
            TestContext.Current.CancellationToken);
        var flushed = queue.FlushAsync(TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(flushed.IsCompleted, "nothing is written while the database refuses the insert");
        Assert.Empty(await AuditAsync());

        await using (var conn = new NpgsqlConnection(portalConnection))
        {
            await conn.OpenAsync(TestContext.Current.CancellationToken);
            await using var grant = new NpgsqlCommand("GRANT INSERT ON portal.audit_log TO tt_test_app", conn);
            await grant.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await flushed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal("while refused", Assert.Single(await AuditAsync()).Reason);
    }

    private CrossTenantAccess Access(bool staffRead) => new(
        new AppContexts(TemplateDatabase.AppConnectionString(Database)),
        new PortalContexts(TemplateDatabase.AppConnectionString(Database)),
        new FixedPortalActor(Agent),
        Options.Create(new DataAccessOptions { StaffReadConnectionString = staffRead ? TemplateDatabase.StaffReadConnectionString(Database) : null }),
        TimeProvider.System);

    private async Task<List<PortalAuditEntry>> AuditAsync()
    {
        await using var db = new PortalContexts(TestDatabase.ConnectionStringFor(Database)).CreateDbContext();
        return await db.AuditEntries.OrderBy(e => e.Id).ToListAsync(TestContext.Current.CancellationToken);
    }
}
