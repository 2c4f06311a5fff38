using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.Data.Portal;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

public sealed partial class ExplorerSecurityTests(SeededExplorerFixture fixture) : IClassFixture<SeededExplorerFixture>
{
    private const string SecretHash = "$argon2id$SECRET-HASH-THAT-MUST-NEVER-SHOW";

    [Fact]
    public async Task A_masked_column_never_appears_in_rendered_html()
    {
        var userId = await fixture.ScalarAsync<Guid>("SELECT id FROM public.users ORDER BY id LIMIT 1");
        var email = await fixture.ScalarAsync<string>($"SELECT email FROM public.users WHERE id = '{userId}'");
        await using (var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"UPDATE public.users SET password_hash = '{SecretHash}' WHERE id = '{userId}'", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        using var client = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "admin@demo.local", DemoAccounts.Password, DemoAccounts.TotpSecret);

        var grid = await client.GetStringAsync($"/explorer/auth/users?q={Uri.EscapeDataString(email)}&cols=id,email,password_hash");
        var record = await client.GetStringAsync($"/explorer/auth/users/{userId}");

        Assert.Contains(email, grid, StringComparison.Ordinal);
        Assert.Contains(email, record, StringComparison.Ordinal);
        foreach (var html in new[] { grid, record })
        {
            Assert.DoesNotContain("SECRET-HASH", html, StringComparison.Ordinal);
            Assert.Contains("data-masked=\"true\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_venue_manager_sees_only_their_venues_rows_even_by_url()
    {
        using var client = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "venue@demo.local", DemoAccounts.Password);
        List<Guid> mine;
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var portal = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            await using var db = await portal.CreateDbContextAsync();
            var manager = await db.Users.SingleAsync(u => u.Email == "venue@demo.local");
            mine = await db.UserVenues.Where(v => v.UserId == manager.Id).Select(v => v.VenueId).ToListAsync();
        }

        Assert.NotEmpty(mine);
        var list = string.Join(",", mine.Select(v => $"'{v}'"));
        var ownEvents = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE venue_id IN ({list})");
        var otherEvent = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.events WHERE venue_id NOT IN ({list}) ORDER BY id LIMIT 1");
        var otherVenue = await fixture.ScalarAsync<Guid>($"SELECT venue_id FROM public.events WHERE id = '{otherEvent}'");
        var ownEvent = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.events WHERE venue_id IN ({list}) ORDER BY id LIMIT 1");

        var grid = await client.GetStringAsync("/explorer/event/events?size=200");
        Assert.Equal(ownEvents, Total(grid));
        Assert.DoesNotContain(otherEvent.ToString(), grid, StringComparison.Ordinal);

        var typedFilter = await client.GetStringAsync($"/explorer/event/events?f.venue_id=eq:{otherVenue}");
        Assert.Contains("data-test=\"grid-empty\"", typedFilter, StringComparison.Ordinal);

        var otherRecord = await client.GetStringAsync($"/explorer/event/events/{otherEvent}");
        Assert.Contains("data-test=\"record-not-found\"", otherRecord, StringComparison.Ordinal);
        var ownRecord = await client.GetStringAsync($"/explorer/event/events/{ownEvent}");
        Assert.Contains("data-test=\"record-fields\"", ownRecord, StringComparison.Ordinal);

        var payments = await client.GetStringAsync("/explorer/payment/payment_transactions");
        Assert.Contains("data-test=\"explorer-denied\"", payments, StringComparison.Ordinal);
        Assert.DoesNotContain("data-test=\"grid-row\"", payments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Support_cannot_read_compliance_tables_and_admin_can()
    {
        using var support = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(support, "support@demo.local", DemoAccounts.Password);
        using var admin = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(admin, "admin@demo.local", DemoAccounts.Password, DemoAccounts.TotpSecret);

        Assert.Contains("data-test=\"explorer-denied\"", await support.GetStringAsync("/explorer/compliance/risk_flags"), StringComparison.Ordinal);
        Assert.Contains("data-test=\"grid-row\"", await admin.GetStringAsync("/explorer/compliance/risk_flags"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await support.GetAsync("/explorer")).StatusCode);
    }

    [Fact]
    public async Task Every_table_opens_and_pages_for_an_administrator()
    {
        var catalog = fixture.App.Services.GetRequiredService<TicketToken.Portal.Explorer.ExplorerCatalog>();
        var failures = new List<string>();
        var empty = new List<string>();
        foreach (var table in catalog.Tables)
        {
            try
            {
                var page = await fixture.PageAsync(table.Service, table.Name, "size=25");
                if (page.Total == 0)
                {
                    empty.Add(table.Name);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or InvalidCastException)
            {
                failures.Add($"{table.Service}/{table.Name}: {ex.Message}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(346, catalog.Tables.Count());
        Assert.Empty(empty);
    }

    private static long Total(string html)
    {
        var match = RangeText().Match(html);
        return match.Success ? long.Parse(match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex("data-total=\"(\\d+)\"")]
    private static partial Regex RangeText();
}

public sealed class ExplorerRevealTests(SeededExplorerFixture fixture) : IClassFixture<SeededExplorerFixture>
{
    [Fact]
    public async Task An_administrator_reveals_a_hidden_value_with_a_reason_and_it_is_audited_without_the_value()
    {
        var userId = await fixture.ScalarAsync<Guid>("SELECT id FROM public.users ORDER BY id DESC LIMIT 1");
        var hash = await fixture.ScalarAsync<string>($"SELECT password_hash FROM public.users WHERE id = '{userId}'");
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator);
        var actor = new TicketToken.Data.Tenancy.PortalActorInfo(Guid.NewGuid(), "admin@example.test");
        var table = fixture.Table("auth", "users");

        var value = await fixture.Data(admin).RevealAsync(table, userId.ToString(), "password_hash", "customer asked to verify account recovery", admin, actor, TestContext.Current.CancellationToken);

        Assert.Equal(hash, value);
        var audit = await fixture.ScalarAsync<string>(
            $"SELECT reason || '|' || coalesce(after::text, '') FROM portal.audit_log WHERE action = 'explorer.unmask' AND record_key = '{userId}'");
        Assert.StartsWith("customer asked to verify account recovery|", audit, StringComparison.Ordinal);
        Assert.Contains("password_hash", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(hash, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Others_may_not_reveal_and_a_reason_is_required()
    {
        var userId = await fixture.ScalarAsync<Guid>("SELECT id FROM public.users ORDER BY id LIMIT 1");
        var table = fixture.Table("auth", "users");
        var actor = new TicketToken.Data.Tenancy.PortalActorInfo(Guid.NewGuid(), "someone@example.test");
        var support = SeededExplorerFixture.User(PortalRoles.SupportAgent);
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator);

        await Assert.ThrowsAsync<TicketToken.Portal.Explorer.ExplorerAccessDeniedException>(() =>
            fixture.Data(support).RevealAsync(table, userId.ToString(), "password_hash", "I would like to see it", support, actor, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            fixture.Data(admin).RevealAsync(table, userId.ToString(), "password_hash", " ", admin, actor, TestContext.Current.CancellationToken));
        Assert.Equal(0, await fixture.ScalarAsync<long>($"SELECT count(*) FROM portal.audit_log WHERE action = 'explorer.unmask' AND record_key = '{userId}'"));
    }
}
