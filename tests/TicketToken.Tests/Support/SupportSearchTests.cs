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

/// <summary>The support search on the demo seed: each kind of key, misspelled and partial input, who may search, and what is recorded.</summary>
public sealed class SupportSearchTests(SeededExplorerFixture fixture) : IClassFixture<SeededExplorerFixture>
{
    private static readonly string[] BigTables = [" orders ", " users ", " tickets ", " payment_transactions ", " wallet_addresses "];
    private static readonly ClaimsPrincipal Agent = SeededExplorerFixture.User(PortalRoles.SupportAgent);

    [Fact]
    public async Task An_order_number_finds_the_order_and_a_partial_one_finds_it_among_few()
    {
        var (id, number) = await RowAsync<Guid, string>("SELECT id, order_number FROM public.orders ORDER BY order_number OFFSET 1234 LIMIT 1");

        var exact = await SearchAsync(number);
        var first = exact.Groups[0];
        Assert.Equal(SearchKind.Order, first.Kind);
        Assert.Equal(id, first.Hits[0].Id);
        Assert.Equal("order_number", first.Hits[0].Field);
        Assert.Equal($"/support/orders/{id}", first.Hits[0].Href);

        // The number without its last digit, and in lower case: a prefix.
        var partial = await SearchAsync(number[..^1].ToLowerInvariant());
        Assert.Contains(partial.Hits, h => h.Kind == SearchKind.Order && h.Id == id);
        Assert.All(partial.Hits.Where(h => h.Kind == SearchKind.Order), h => Assert.StartsWith(number[..^1], h.Value, StringComparison.Ordinal));

        // Only the serial, without its leading zeros (what a customer reads out).
        var serial = number[(number.IndexOf('-', StringComparison.Ordinal) + 1)..].TrimStart('0');
        var bySerial = await SearchAsync(serial);
        Assert.Contains(bySerial.Hits, h => h.Kind == SearchKind.Order && h.Id == id);
    }

    [Fact]
    public async Task An_email_finds_the_customer_first_and_their_orders()
    {
        var (userId, email) = await RowAsync<Guid, string>(
            "SELECT u.id, u.email FROM public.users u WHERE u.role = 'user' AND EXISTS (SELECT FROM public.orders o WHERE o.user_id = u.id) ORDER BY u.email LIMIT 1");
        var orders = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.orders WHERE user_id = '{userId}'");

        var result = await SearchAsync(email.ToUpperInvariant());

        Assert.Equal(SearchKind.Customer, result.Groups[0].Kind);
        var hit = result.Groups[0].Hits[0];
        Assert.Equal(userId, hit.Id);
        Assert.Equal("email", hit.Field);
        Assert.Equal($"/support/customers/{userId}", hit.Href);
        var orderHits = Assert.Single(result.Groups, g => g.Kind == SearchKind.Order).Hits;
        Assert.Equal(Math.Min(orders, SupportSearch.PerKind), orderHits.Count);
    }

    [Fact]
    public async Task A_misspelled_email_still_finds_the_customer()
    {
        var (userId, email) = await RowAsync<Guid, string>("SELECT id, email FROM public.users WHERE role = 'user' ORDER BY email OFFSET 7 LIMIT 1");
        // Swap two letters after the first three of the local part, and drop one from the domain.
        var at = email.IndexOf('@', StringComparison.Ordinal);
        var chars = email.ToCharArray();
        (chars[3], chars[4]) = (chars[4], chars[3]);
        var misspelled = new string(chars).Remove(at + 2, 1);
        Assert.NotEqual(email, misspelled);

        var result = await SearchAsync(misspelled);

        var customers = Assert.Single(result.Groups, g => g.Kind == SearchKind.Customer).Hits;
        Assert.Equal(userId, customers[0].Id);
        Assert.Equal(email, customers[0].Value);
    }

    [Fact]
    public async Task A_misspelled_name_finds_the_customer()
    {
        var (userId, name) = await RowAsync<Guid, string>(
            "SELECT id, first_name || ' ' || last_name FROM public.users WHERE role = 'user' AND length(first_name) >= 5 AND length(last_name) >= 5 ORDER BY id LIMIT 1");
        var words = name.Split(' ');
        // 'Jonathan Smithers' -> 'jonahtan smitehrs': letters swapped after the third of each word.
        var misspelled = string.Join(' ', words.Select(w => w[..3] + w[4] + w[3] + w[5..])).ToLowerInvariant();

        var result = await SearchAsync(misspelled);

        var customers = Assert.Single(result.Groups, g => g.Kind == SearchKind.Customer).Hits;
        Assert.Contains(customers, h => h.Id == userId && h.Field == "name");
    }

    [Fact]
    public async Task A_phone_number_in_any_common_format_finds_the_customer()
    {
        var (userId, phone) = await RowAsync<Guid, string>("SELECT id, phone FROM public.users WHERE phone LIKE '+1__________' ORDER BY id LIMIT 1");
        var national = phone[2..];
        var formatted = $"({national[..3]}) {national[3..6]}-{national[6..]}";

        var result = await SearchAsync(formatted);

        var customers = Assert.Single(result.Groups, g => g.Kind == SearchKind.Customer).Hits;
        Assert.Contains(customers, h => h.Id == userId && h.Field == "phone");
    }

    [Fact]
    public async Task A_ticket_id_qr_code_and_ticket_number_find_the_ticket_and_link_its_order()
    {
        // A ticket number without its last digit matches the ten numbers that share the rest (the demo's are dense), and
        // the search lists the first SupportSearch.PerKind of them in number order: take a ticket that comes first.
        var (ticketId, qr) = await RowAsync<Guid, string>("SELECT id, qr_code FROM public.tickets WHERE payment_id IS NOT NULL AND ticket_number LIKE '%0' ORDER BY id OFFSET 9 LIMIT 1");
        var number = await fixture.ScalarAsync<string>($"SELECT ticket_number FROM public.tickets WHERE id = '{ticketId}'");
        var orderId = await fixture.ScalarAsync<Guid>($"SELECT o.id FROM public.orders o JOIN public.tickets t ON t.payment_id = o.payment_intent_id WHERE t.id = '{ticketId}' LIMIT 1");

        foreach (var term in new[] { ticketId.ToString(), qr, number, number[..^1] })
        {
            var result = await SearchAsync(term);
            var hit = Assert.Single(result.Hits, h => h.Kind == SearchKind.Ticket && h.Id == ticketId);
            Assert.Equal(orderId, hit.LinkId);
            Assert.Equal($"/support/orders/{orderId}", hit.Href);
        }
    }

    [Fact]
    public async Task A_payment_intent_or_charge_id_finds_the_payment_and_its_order()
    {
        var (paymentId, intent) = await RowAsync<Guid, string>("SELECT id, stripe_payment_intent_id FROM public.payment_transactions WHERE order_id IS NOT NULL ORDER BY id LIMIT 1");
        var charge = await fixture.ScalarAsync<string>($"SELECT stripe_charge_id FROM public.payment_transactions WHERE id = '{paymentId}'");
        var orderId = await fixture.ScalarAsync<Guid>($"SELECT order_id FROM public.payment_transactions WHERE id = '{paymentId}'");

        var byIntent = await SearchAsync(intent);
        Assert.Contains(byIntent.Hits, h => h.Kind == SearchKind.Payment && h.Id == paymentId && h.Field == "stripe_payment_intent_id");
        Assert.Contains(byIntent.Hits, h => h.Kind == SearchKind.Order && h.Id == orderId && h.Field == "payment_intent_id");
        Assert.Equal(SearchKind.Payment, byIntent.Groups[0].Kind);

        var byCharge = await SearchAsync(charge);
        var hit = Assert.Single(byCharge.Hits, h => h.Kind == SearchKind.Payment);
        Assert.Equal(paymentId, hit.Id);
        Assert.Equal($"/support/orders/{orderId}", hit.Href);

        var byTransactionId = await SearchAsync(paymentId.ToString());
        Assert.Contains(byTransactionId.Hits, h => h.Kind == SearchKind.Payment && h.Id == paymentId);
    }

    [Fact]
    public async Task Four_digits_find_cards_by_last_four()
    {
        // The demo's generated card rows have no digits in last4: add two cards ending 4242 and one ending 4243.
        await using (var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO public.card_fingerprints (card_fingerprint, last4, card_brand, card_type) VALUES
                  ('fp_test_a', '4242', 'visa', 'credit'), ('fp_test_b', '4242', 'amex', 'credit'), ('fp_test_c', '4243', 'visa', 'debit')
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var result = await SearchAsync("4242");

        Assert.Equal(SearchKind.Payment, result.Groups[0].Kind);
        var payments = result.Groups[0].Hits;
        Assert.Equal(2, payments.Count);
        Assert.All(payments, h => Assert.Equal("4242", h.Value));
        Assert.Contains("fp_test_b", payments.Select(h => h.Detail).Single(d => d!.Contains("amex", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wallet_address_finds_the_wallet_and_its_owner()
    {
        var (walletId, address) = await RowAsync<Guid, string>("SELECT id, wallet_address FROM public.wallet_addresses ORDER BY id LIMIT 1");
        var owner = await fixture.ScalarAsync<Guid>($"SELECT user_id FROM public.wallet_addresses WHERE id = '{walletId}'");
        Assert.True(SearchInput.Classify(address).Has(SearchShape.Wallet), $"'{address}' should classify as a wallet");

        var result = await SearchAsync(address);

        var hit = Assert.Single(result.Hits, h => h.Kind == SearchKind.Wallet && h.Id == walletId);
        Assert.Equal($"/support/customers/{owner}", hit.Href);
    }

    [Theory]
    [InlineData("TT042-00001234", SearchShape.OrderNumber)]
    [InlineData("tt042-0000", SearchShape.OrderNumber)]
    [InlineData("jane.doe@example.com", SearchShape.Email)]
    [InlineData("Jane Doe", SearchShape.Name)]
    [InlineData("1234", SearchShape.LastFour | SearchShape.Digits)]
    [InlineData("+1 (415) 555-0134", SearchShape.Phone | SearchShape.Digits)]
    [InlineData("ttqr:0123abcd", SearchShape.TicketCode)]
    [InlineData("TKT-042-0000000123", SearchShape.TicketCode)]
    [InlineData("pi_demo_0123456789abcdef", SearchShape.PaymentReference)]
    [InlineData("ch_demo_0123456789", SearchShape.PaymentReference)]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7", SearchShape.Wallet)]
    [InlineData("7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV", SearchShape.Wallet)]
    [InlineData("0b5f6b0e-4f7a-4c1e-9d43-5d1f3f0b7a11", SearchShape.Uuid)]
    [InlineData("x", SearchShape.None)]
    public void Terms_are_classified_by_shape(string term, SearchShape expected) => Assert.Equal(expected, SearchInput.Classify(term).Shapes);

    [Fact]
    public void Every_shape_runs_one_statement_of_few_lookups()
    {
        foreach (var term in new[] { "TT042-00001234", "jane.doe@example.com", "Jane Doe", "1234", "+14155550134", "ttqr:0123abcd", "pi_demo_x1234", "0b5f6b0e-4f7a-4c1e-9d43-5d1f3f0b7a11" })
        {
            var plan = SupportSearch.Plan(SearchInput.Classify(term));
            var lookups = plan.Sql.Split("UNION ALL").Length;
            Assert.InRange(lookups, 1, 4);
        }
    }

    [Fact]
    public async Task Every_lookup_can_be_served_by_an_index()
    {
        var terms = new[] { "TT042-0000123", "1234567", "jane.doe.12@demo.example", "Jane Doe", "+14155550134", "ttqr:0123abcd", "TKT-042-00000001", "pi_demo_x1234", "ch_demo_x1234", "0b5f6b0e-4f7a-4c1e-9d43-5d1f3f0b7a11", "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV" };
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", conn))
        {
            await off.ExecuteNonQueryAsync();
        }

        foreach (var term in terms)
        {
            await using var cmd = conn.CreateCommand();
            SupportSearch.Plan(SearchInput.Classify(term)).Bind(cmd);
            cmd.CommandText = "EXPLAIN " + cmd.CommandText;
            var plan = new List<string>();
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            // With sequential scans priced out, a scan of one of the big tables means no index fits the lookup.
            var scans = plan.Where(l => l.Contains("Seq Scan on", StringComparison.Ordinal)
                && BigTables.Any(t => (l + " ").Contains(t, StringComparison.Ordinal))).ToList();
            Assert.True(scans.Count == 0, $"{term}:\n{string.Join('\n', plan)}");
        }
    }

    [Theory]
    [InlineData(PortalRoles.VenueManager)]
    [InlineData(PortalRoles.FinanceAnalyst)]
    [InlineData(PortalRoles.ComplianceOfficer)]
    public async Task Roles_outside_support_are_refused_on_the_server_and_nothing_is_read(string role)
    {
        var email = await fixture.ScalarAsync<string>("SELECT email FROM public.users ORDER BY email LIMIT 1");
        var user = SeededExplorerFixture.User(role, Guid.NewGuid());
        var before = await AuditCountAsync(user.Identity!.Name!);

        var result = await Search(user).SearchAsync(user, email, TestContext.Current.CancellationToken);

        Assert.Empty(result.Groups);
        Assert.Contains("support agents and administrators", result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await AuditCountAsync(user.Identity!.Name!));
    }

    [Fact]
    public async Task Staff_search_spans_tenants_and_each_search_is_recorded_once()
    {
        var tenants = await fixture.ScalarAsync<long>("SELECT count(DISTINCT tenant_id) FROM public.users WHERE role = 'user'");
        Assert.True(tenants > 1);
        var lastName = await fixture.ScalarAsync<string>(
            "SELECT last_name FROM public.users WHERE role = 'user' GROUP BY last_name HAVING count(DISTINCT tenant_id) > 1 ORDER BY count(*) DESC LIMIT 1");
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator, Guid.NewGuid());
        var before = await AuditCountAsync(admin.Identity!.Name!);

        var result = await Search(admin).SearchAsync(admin, lastName, TestContext.Current.CancellationToken);

        var customers = Assert.Single(result.Groups, g => g.Kind == SearchKind.Customer).Hits;
        Assert.True(customers.Select(h => h.TenantId).Distinct().Count() > 1, "an administrator's search spans tenants");
        Assert.Equal(before + 1, await AuditCountAsync(admin.Identity!.Name!));
        await using var db = Portal();
        var entry = await db.AuditEntries.Where(e => e.UserName == admin.Identity!.Name).OrderByDescending(e => e.Id).FirstAsync(TestContext.Current.CancellationToken);
        Assert.Equal(CrossTenantAccess.StaffReadAuditAction, entry.Action);
        Assert.Contains(lastName, entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_search_connection_cannot_write_and_the_attempt_is_still_recorded()
    {
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator, Guid.NewGuid());
        var services = fixture.App.Services;
        var access = new CrossTenantAccess(
            services.GetRequiredService<IDbContextFactory<PlatformDbContext>>(),
            services.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
            new FixedPortalActor(new PortalActorInfo(null, admin.Identity!.Name!)),
            services.GetRequiredService<IOptions<DataAccessOptions>>(),
            TimeProvider.System);
        var before = await AuditCountAsync(admin.Identity!.Name!);

        var error = await Assert.ThrowsAsync<PostgresException>(() => access.StaffQueryAsync("try to write", async (connection, ct) =>
        {
            await using var cmd = new NpgsqlCommand("DELETE FROM public.invalidated_tokens", connection);
            return await cmd.ExecuteNonQueryAsync(ct);
        }, TestContext.Current.CancellationToken));

        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
        Assert.Equal(before + 1, await AuditCountAsync(admin.Identity!.Name!));
    }

    [Fact]
    public void The_matching_part_is_highlighted()
    {
        var parts = SupportSearch.Highlight("jane.doe.12@demo.example", "DOE.12");
        Assert.Equal("jane.|doe.12|@demo.example", string.Join('|', parts.Select(p => p.Text)));
        Assert.Equal("-+-", string.Concat(parts.Select(p => p.Match ? '+' : '-')));

        var misspelled = SupportSearch.Highlight("Jonathan Smith", "jonahtan");
        Assert.Equal("Jon", Assert.Single(misspelled, p => p.Match).Text);
    }

    private SupportSearch Search(ClaimsPrincipal user)
    {
        var services = fixture.App.Services;
        var access = new CrossTenantAccess(
            services.GetRequiredService<IDbContextFactory<PlatformDbContext>>(),
            services.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
            new FixedPortalActor(new PortalActorInfo(null, user.Identity!.Name!)),
            services.GetRequiredService<IOptions<DataAccessOptions>>(),
            TimeProvider.System);
        return new SupportSearch(access);
    }

    private Task<SearchResult> SearchAsync(string term) => Search(Agent).SearchAsync(Agent, term, TestContext.Current.CancellationToken);

    private PortalDbContext Portal() =>
        new PortalContexts(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName)).CreateDbContext();

    private async Task<int> AuditCountAsync(string userName)
    {
        await using var db = Portal();
        return await db.AuditEntries.CountAsync(e => e.UserName == userName, TestContext.Current.CancellationToken);
    }

    private async Task<(T1, T2)> RowAsync<T1, T2>(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no row for: {sql}");
        return (reader.GetFieldValue<T1>(0), reader.GetFieldValue<T2>(1));
    }
}
