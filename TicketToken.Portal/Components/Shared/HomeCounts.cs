using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Components.Shared;

/// <summary>The real counts each workspace's home page shows. Staff read across tenants; venue managers only inside theirs.</summary>
public sealed class HomeCounts(
    IDbContextFactory<PortalDbContext> portal,
    IDbContextFactory<PlatformDbContext> platform,
    CrossTenantAccess crossTenant,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<CountCard>> AdministrationAsync(CancellationToken ct)
    {
        await using var db = await portal.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var requiredRoles = PortalRoles.RequireTwoFactor.ToArray();
        var cards = new List<CountCard>
        {
            new("Portal users", await db.Users.CountAsync(ct), Icons.People, "Accounts that can sign in to the portal"),
            new("Missing required 2FA", await (
                from u in db.Users
                where !u.TwoFactorEnabled
                      && db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && requiredRoles.Contains(r.Name!)))
                select u).CountAsync(ct), Icons.Key, "Administrators, finance and compliance users without an authenticator"),
            new("Locked accounts", await db.Users.CountAsync(u => u.LockoutEnd != null && u.LockoutEnd > now, ct), Icons.Lock, "Locked after repeated failed sign-ins"),
        };
        cards.AddRange(await PlatformCountsAsync("home: administration", ct,
            new("Tenants", Icons.Business, "Organisations on the platform", "SELECT count(*) AS \"Value\" FROM public.tenants"),
            new("Venues", Icons.Stadium, "Across all tenants", "SELECT count(*) AS \"Value\" FROM public.venues")));
        cards.Add(await HangfireFailedJobsAsync(ct));
        return cards;
    }

    public async Task<IReadOnlyList<CountCard>> VenueAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var userId = Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
        await using var db = await portal.CreateDbContextAsync(ct);
        var links = await db.UserVenues.Where(v => v.UserId == userId).ToListAsync(ct);
        var cards = new List<CountCard> { new("Your venues", links.Count, Icons.Stadium, "Venues you manage") };
        if (links.Count == 0)
        {
            return cards;
        }

        long events = 0, sold = 0, orders = 0;
        foreach (var tenant in links.GroupBy(l => l.TenantId))
        {
            var venues = tenant.Select(l => l.VenueId).ToArray();
            try
            {
                var (e, s, o) = await platform.InTenantAsync(tenant.Key, async (p, c) => (
                    await p.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM public.events WHERE venue_id = ANY({venues})").SingleAsync(c),
                    await p.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM public.tickets t JOIN public.events e ON e.id = t.event_id WHERE e.venue_id = ANY({venues}) AND t.status = 'sold'").SingleAsync(c),
                    await p.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM public.orders o JOIN public.events e ON e.id = o.event_id WHERE e.venue_id = ANY({venues})").SingleAsync(c)),
                    ct);
                events += e;
                sold += s;
                orders += o;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                return [.. cards, CountCard.Unavailable("Events", Icons.Event)];
            }
        }

        cards.Add(new("Events", events, Icons.Event, "At your venues"));
        cards.Add(new("Tickets sold", sold, Icons.Ticket, "At your venues"));
        cards.Add(new("Orders", orders, Icons.Receipt, "For events at your venues"));
        return cards;
    }

    public Task<IReadOnlyList<CountCard>> ComplianceAsync(CancellationToken ct) => PlatformCountsAsync("home: compliance", ct,
        new("Venue verifications pending", Icons.Verified, "Waiting for review", "SELECT count(*) AS \"Value\" FROM public.venue_verifications WHERE status = 'pending'"),
        new("Bank verifications", Icons.Bank, "All bank account checks", "SELECT count(*) AS \"Value\" FROM public.bank_verifications"),
        new("Open risk flags", Icons.Flag, "Not yet resolved", "SELECT count(*) AS \"Value\" FROM public.risk_flags WHERE resolved IS NOT TRUE"),
        new("OFAC checks to review", Icons.Search, "Screenings not yet reviewed", "SELECT count(*) AS \"Value\" FROM public.ofac_checks WHERE reviewed IS NOT TRUE"),
        new("Form 1099 records", Icons.Tax, "All tax years", "SELECT count(*) AS \"Value\" FROM public.form_1099_records"));

    public Task<IReadOnlyList<CountCard>> FinanceAsync(CancellationToken ct) => PlatformCountsAsync("home: finance", ct,
        new("Settlement batches pending", Icons.Bank, "Not yet paid out", "SELECT count(*) AS \"Value\" FROM public.settlement_batches WHERE status = 'pending'"),
        new("Refunds pending", Icons.Undo, "Waiting for the payment service", "SELECT count(*) AS \"Value\" FROM public.payment_refunds WHERE status = 'pending'"),
        new("Open chargebacks", Icons.Gavel, "Open or under review", "SELECT count(*) AS \"Value\" FROM public.payment_chargebacks WHERE status IN ('open', 'under_review')"),
        new("Royalty distributions pending", Icons.Royalty, "Pending or scheduled", "SELECT count(*) AS \"Value\" FROM public.royalty_distributions WHERE status IN ('pending', 'scheduled')"));

    public Task<IReadOnlyList<CountCard>> SupportAsync(CancellationToken ct) => PlatformCountsAsync("home: support", ct,
        new("Orders", Icons.Receipt, "All tenants", "SELECT count(*) AS \"Value\" FROM public.orders"),
        new("Orders, last 24 hours", Icons.Schedule, "Placed since yesterday", "SELECT count(*) AS \"Value\" FROM public.orders WHERE created_at >= @since", true),
        new("Order disputes", Icons.Gavel, "All disputes", "SELECT count(*) AS \"Value\" FROM public.order_disputes"),
        new("Refunds pending", Icons.Undo, "Waiting for the payment service", "SELECT count(*) AS \"Value\" FROM public.payment_refunds WHERE status = 'pending'"));

    /// <summary>One recorded cross-tenant read per section: all its counts in one transaction.</summary>
    private async Task<IReadOnlyList<CountCard>> PlatformCountsAsync(string purpose, CancellationToken ct, params CountQuery[] queries)
    {
        var since = clock.GetUtcNow().AddDays(-1);
        try
        {
            return await crossTenant.AcrossTenantsAsync(purpose, async (db, c) =>
            {
                var cards = new List<CountCard>(queries.Length);
                foreach (var q in queries)
                {
                    var value = q.UsesSince
                        ? await db.Database.SqlQueryRaw<long>(q.Sql, new NpgsqlParameter("since", since)).SingleAsync(c)
                        : await db.Database.SqlQueryRaw<long>(q.Sql).SingleAsync(c);
                    cards.Add(new CountCard(q.Title, value, q.Icon, q.Hint));
                }

                return (IReadOnlyList<CountCard>)cards;
            }, ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            return [.. queries.Select(q => CountCard.Unavailable(q.Title, q.Icon))];
        }
    }

    private sealed record CountQuery(string Title, string Icon, string Hint, string Sql, bool UsesSince = false);

    private async Task<CountCard> HangfireFailedJobsAsync(CancellationToken ct)
    {
        await using var db = await portal.CreateDbContextAsync(ct);
        try
        {
            var failed = await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM hangfire.job WHERE statename = 'Failed'").SingleAsync(ct);
            return new CountCard("Failed jobs", failed, Icons.Error, "Background jobs that need attention");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return CountCard.Unavailable("Failed jobs", Icons.Error);
        }
    }

    private static class Icons
    {
        public const string People = MudBlazor.Icons.Material.Outlined.People;
        public const string Key = MudBlazor.Icons.Material.Outlined.Key;
        public const string Lock = MudBlazor.Icons.Material.Outlined.Lock;
        public const string Business = MudBlazor.Icons.Material.Outlined.Business;
        public const string Stadium = MudBlazor.Icons.Material.Outlined.Stadium;
        public const string Error = MudBlazor.Icons.Material.Outlined.ErrorOutline;
        public const string Event = MudBlazor.Icons.Material.Outlined.Event;
        public const string Ticket = MudBlazor.Icons.Material.Outlined.ConfirmationNumber;
        public const string Receipt = MudBlazor.Icons.Material.Outlined.Receipt;
        public const string Verified = MudBlazor.Icons.Material.Outlined.Verified;
        public const string Bank = MudBlazor.Icons.Material.Outlined.AccountBalance;
        public const string Flag = MudBlazor.Icons.Material.Outlined.Flag;
        public const string Search = MudBlazor.Icons.Material.Outlined.ManageSearch;
        public const string Tax = MudBlazor.Icons.Material.Outlined.Description;
        public const string Undo = MudBlazor.Icons.Material.Outlined.Undo;
        public const string Gavel = MudBlazor.Icons.Material.Outlined.Gavel;
        public const string Royalty = MudBlazor.Icons.Material.Outlined.Paid;
        public const string Schedule = MudBlazor.Icons.Material.Outlined.Schedule;
    }
}

/// <summary>A labelled count; <see cref="Value"/> is null when the table is not available in this database.</summary>
public sealed record CountCard(string Title, long? Value, string Icon, string Hint)
{
    public static CountCard Unavailable(string title, string icon) => new(title, null, icon, "Not available in this database");
}
