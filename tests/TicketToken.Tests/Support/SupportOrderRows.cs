using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Support;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

/// <summary>One order with everything around it, written as the superuser, for the order page and action tests.</summary>
public sealed record SupportOrderScenario(
    Guid Tenant, Guid Customer, string CustomerEmail, Guid Friend, Guid Venue, Guid Event, Guid Order, string OrderNumber,
    Guid ItemA, Guid ItemB, Guid Transaction, IReadOnlyList<Guid> Tickets, long PaidCents);

public static class SupportOrderRows
{
    /// <summary>
    /// Item A: 2 × $50.00, item B: 1 × $33.33 (subtotal $133.33), tax $10.67, paid $144.00. Tickets: two of type A, one of type B,
    /// plus <paramref name="extraTickets"/> more of type A. Ticket 1 was transferred to a friend, listed and resold; ticket 2 was
    /// scanned at the door and minted as an NFT; the payment had a failed attempt before it succeeded.
    /// </summary>
    public static async Task<SupportOrderScenario> CreateAsync(string database, string slug, int extraTickets = 0, DateTimeOffset? eventStart = null)
    {
        var tenant = Guid.NewGuid();
        var customer = Guid.NewGuid();
        var friend = Guid.NewGuid();
        var venue = Guid.NewGuid();
        var ev = Guid.NewGuid();
        var typeA = Guid.NewGuid();
        var typeB = Guid.NewGuid();
        var order = Guid.NewGuid();
        var itemA = Guid.NewGuid();
        var itemB = Guid.NewGuid();
        var tx = Guid.NewGuid();
        var intent = Guid.NewGuid();
        var number = ("TT" + slug.Replace("-", "", StringComparison.Ordinal)).ToUpperInvariant();
        number = number.Length > 20 ? number[..20] : number;
        var pi = "pi_test_" + order.ToString("N")[..16];
        var email = $"{slug}@example.test";
        var tickets = Enumerable.Range(0, 3 + extraTickets).Select(_ => Guid.NewGuid()).ToList();
        var start = eventStart ?? DateTimeOffset.UtcNow.AddDays(30);
        var bought = DateTimeOffset.UtcNow.AddDays(-3);

        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO public.tenants (id, name, slug) VALUES (@tenant, @slug, @slug);
            INSERT INTO public.users (id, tenant_id, email, password_hash, first_name, last_name, status)
              VALUES (@customer, @tenant, @email, 'x', 'Casey', 'Customer', 'ACTIVE'), (@friend, @tenant, 'friend-' || @email, 'x', 'Frankie', 'Friend', 'ACTIVE');
            INSERT INTO public.venues (id, tenant_id, name, slug, email, address_line1, city, state_province, venue_type, max_capacity)
              VALUES (@venue, @tenant, 'Test Hall', @slug, 'hall@example.test', '1 Main St', 'Springfield', 'IL', 'theater', 500);
            INSERT INTO public.events (id, tenant_id, venue_id, name, slug, start_date, status) VALUES (@event, @tenant, @venue, 'Test Concert', @slug, @start, 'ON_SALE');
            INSERT INTO public.ticket_types (id, tenant_id, event_id, name, price, quantity, available_quantity, sale_start, sale_end)
              VALUES (@typeA, @tenant, @event, 'General', 50.00, 100, 90, @bought - interval '10 days', @start),
                     (@typeB, @tenant, @event, 'Balcony', 33.33, 100, 90, @bought - interval '10 days', @start);
            INSERT INTO public.orders (id, tenant_id, user_id, event_id, order_number, status, subtotal_cents, tax_cents, total_cents, currency,
                payment_intent_id, payment_status, ticket_quantity, confirmed_at, created_at, updated_at)
              VALUES (@order, @tenant, @customer, @event, @number, 'CONFIRMED', 13333, 1067, 14400, 'USD', @pi, 'succeeded', @count, @bought, @bought, @bought);
            INSERT INTO public.order_items (id, tenant_id, order_id, ticket_type_id, quantity, unit_price_cents, total_price_cents, created_at)
              VALUES (@itemA, @tenant, @order, @typeA, 2, 5000, 10000, @bought), (@itemB, @tenant, @order, @typeB, 1, 3333, 3333, @bought);
            INSERT INTO public.payment_transactions (id, tenant_id, venue_id, user_id, event_id, order_id, type, amount, status, platform_fee, venue_payout,
                stripe_payment_intent_id, stripe_charge_id, metadata, created_at)
              VALUES (@tx, @tenant, @venue, @customer, @event, @order, 'ticket_purchase', 144.00, 'completed', 7.20, 136.80, @pi, 'ch_test', '{"card_brand": "visa"}', @bought);
            INSERT INTO public.payment_intents (id, tenant_id, order_id, stripe_intent_id, amount, status, processor, created_at)
              VALUES (@intent, @tenant, @order, @pi, 144.00, 'succeeded', 'stripe', @bought - interval '2 minutes');
            INSERT INTO public.payment_attempts (tenant_id, payment_intent_id, user_id, attempt_number, status, failure_code, payment_method_type, attempted_at)
              VALUES (@tenant, @intent, @customer, 1, 'failed', 'card_declined', 'card', @bought - interval '1 minute'),
                     (@tenant, @intent, @customer, 2, 'succeeded', NULL, 'card', @bought);
            INSERT INTO public.tickets (id, tenant_id, event_id, ticket_type_id, user_id, original_purchaser_id, ticket_number, qr_code, status, payment_id, created_at, updated_at)
              SELECT t.id, @tenant, @event, CASE WHEN t.n = 3 THEN @typeB ELSE @typeA END, CASE WHEN t.n = 1 THEN @friend ELSE @customer END, @customer,
                     @number || '-' || t.n, 'ttqr:' || replace(t.id::text, '-', ''), 'active', @pi, @bought, @bought
              FROM unnest(@tickets::uuid[]) WITH ORDINALITY AS t(id, n);
            INSERT INTO public.ticket_transfers (tenant_id, ticket_id, from_user_id, to_user_id, to_email, transfer_method, status, acceptance_code, expires_at, created_at, transferred_at)
              VALUES (@tenant, @t1, @customer, @friend, 'friend-' || @email, 'email', 'completed', 'ABC123', @start, @bought + interval '1 day', @bought + interval '1 day');
            INSERT INTO public.ticket_scans (tenant_id, ticket_id, event_id, result, location, scanned_at)
              VALUES (@tenant, @t2, @event, 'valid', 'Gate A', @bought + interval '2 days');
            INSERT INTO public.nft_mints (tenant_id, ticket_id, blockchain, status, owner_address, created_at, completed_at)
              VALUES (@tenant, @t2, 'solana-devnet', 'completed', 'Wallet1111111111111111111111111111111111111', @bought + interval '5 minutes', @bought + interval '6 minutes');
            INSERT INTO public.order_events (tenant_id, order_id, event_type, metadata, created_at)
              VALUES (@tenant, @order, 'ORDER_CONFIRMED', '{"summary": "confirmed by the payment webhook"}', @bought);
            """, conn);
        cmd.Parameters.AddWithValue("tenant", tenant);
        cmd.Parameters.AddWithValue("customer", customer);
        cmd.Parameters.AddWithValue("friend", friend);
        cmd.Parameters.AddWithValue("venue", venue);
        cmd.Parameters.AddWithValue("event", ev);
        cmd.Parameters.AddWithValue("typeA", typeA);
        cmd.Parameters.AddWithValue("typeB", typeB);
        cmd.Parameters.AddWithValue("order", order);
        cmd.Parameters.AddWithValue("itemA", itemA);
        cmd.Parameters.AddWithValue("itemB", itemB);
        cmd.Parameters.AddWithValue("tx", tx);
        cmd.Parameters.AddWithValue("intent", intent);
        cmd.Parameters.AddWithValue("slug", slug);
        cmd.Parameters.AddWithValue("email", email);
        cmd.Parameters.AddWithValue("number", number);
        cmd.Parameters.AddWithValue("pi", pi);
        cmd.Parameters.AddWithValue("start", start);
        cmd.Parameters.AddWithValue("bought", bought);
        cmd.Parameters.AddWithValue("count", tickets.Count);
        cmd.Parameters.AddWithValue("tickets", tickets.ToArray());
        cmd.Parameters.AddWithValue("t1", tickets[0]);
        cmd.Parameters.AddWithValue("t2", tickets[1]);
        await cmd.ExecuteNonQueryAsync();
        return new SupportOrderScenario(tenant, customer, email, friend, venue, ev, order, number, itemA, itemB, tx, tickets, 14400);
    }

    public static async Task<long> CountAsync(string database, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<T?> ScalarAsync<T>(string database, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        var result = await cmd.ExecuteScalarAsync();
        return result is DBNull or null ? default : (T)result;
    }

    public static ClaimsPrincipal User(params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "tester"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "Test"));

    public static readonly ClaimsPrincipal Agent = User(PortalRoles.SupportAgent);
}

/// <summary>Counts the SQL commands the contexts it makes execute (every reader, scalar and non-query).</summary>
public sealed class CommandCounter : DbCommandInterceptor
{
    private int count;

    public int Count => count;

    public List<string> Commands { get; } = [];

    public void Reset()
    {
        Interlocked.Exchange(ref count, 0);
        lock (Commands)
        {
            Commands.Clear();
        }
    }

    private void Add(System.Data.Common.DbCommand command)
    {
        Interlocked.Increment(ref count);
        lock (Commands)
        {
            Commands.Add(command.CommandText);
        }
    }

    public override ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
        System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Add(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Add(command);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Add(command);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }
}

/// <summary>The support services on a test database as the RLS-bound app role, with a command counter on every context.</summary>
public sealed class SupportServices(string database, PortalActorInfo actor, long approvalThresholdCents = 50_000, TimeProvider? clock = null)
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    public CommandCounter Counter { get; } = new();

    public AppContexts Platform => new(TemplateDatabase.AppConnectionString(database), Counter);

    public PortalContexts Portal => new(TemplateDatabase.AppConnectionString(database), Counter);

    public CrossTenantAccess Access(PortalActorInfo? who = null) => new(Platform, Portal, new FixedPortalActor(who ?? actor),
        Options.Create(new DataAccessOptions()), clock);

    public OrderStory Story() => new(Access(), clock);

    public OrderActions Actions(PortalActorInfo? who = null) => new(Platform, new FixedPortalActor(who ?? actor),
        Options.Create(new SupportOptions { RefundApprovalThresholdCents = approvalThresholdCents }), clock);
}
