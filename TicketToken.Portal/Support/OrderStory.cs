using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TicketToken.Data;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Support;

/// <summary>
/// Loads one order's whole story for the support order page, across tenants (audited through <see cref="CrossTenantAccess"/>),
/// in a fixed number of SQL commands however many tickets, payments or scans the order has: the order-level rows and every
/// ticket with its transfers, resales, NFT mints, scans and notifications come back as one JSON document built by
/// PostgreSQL; the people involved (customer, ticket holders, transfer recipients, buyers) in one more query on the auth
/// table <c>users</c>, read in the order's tenant. Commands: the audit row, the system setting, the document, the tenant
/// setting, the people: five in all.
/// Tickets have no order id in the platform schema: an order's tickets are those of its purchaser
/// (<c>original_purchaser_id</c>, indexed) paid by its payment intent (<c>payment_id</c>) or naming its order number in
/// their metadata.
/// </summary>
public sealed class OrderStory(CrossTenantAccess access, TimeProvider clock)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
    };

    public async Task<OrderStoryView?> LoadAsync(Guid orderId, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!SupportAccess.CanRead(user))
        {
            throw new SupportAccessDeniedException("Only support agents, administrators and finance analysts may open an order's story.");
        }

        return await access.AcrossTenantsAsync($"support: order page {orderId}", async (db, token) =>
        {
            var json = await db.Database.SqlQuery<string>(StorySql(orderId)).SingleAsync(token);
            var doc = JsonSerializer.Deserialize<StoryDocument>(json, Json);
            if (doc?.Order is null)
            {
                return null;
            }

            var people = await PeopleAsync(db, doc.Order.TenantId, PersonIds(doc), token);
            return Compose(doc, people, clock.GetUtcNow());
        }, ct);
    }

    /// <summary>Reads users of one tenant: the auth tables' policies look at the tenant setting only.</summary>
    internal static async Task<Dictionary<Guid, StoryPerson>> PeopleAsync(PlatformDbContext db, Guid tenantId, Guid[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        var tenant = tenantId.ToString();
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT set_config('app.current_tenant_id', {tenant}, true)", ct);
        var json = await db.Database.SqlQuery<string>($"""
            SELECT coalesce(json_agg(json_build_object('id', u.id, 'email', u.email, 'first_name', u.first_name, 'last_name', u.last_name,
                'display_name', u.display_name, 'phone', u.phone, 'status', u.status)), '[]'::json)::text AS "Value"
            FROM public.users u WHERE u.id = ANY({ids})
            """).SingleAsync(ct);
        return (JsonSerializer.Deserialize<List<StoryPerson>>(json, Json) ?? []).ToDictionary(p => p.Id);
    }

    private static Guid[] PersonIds(StoryDocument doc)
    {
        var ids = new HashSet<Guid> { doc.Order!.UserId };
        foreach (var t in doc.Tickets)
        {
            Add(t.UserId);
            foreach (var tr in t.Transfers)
            {
                Add(tr.FromUserId);
                Add(tr.ToUserId);
            }

            foreach (var l in t.Listings)
            {
                ids.Add(l.SellerId);
                foreach (var s in l.Sales)
                {
                    ids.Add(s.BuyerId);
                }
            }
        }

        return [.. ids];

        void Add(Guid? id)
        {
            if (id is { } v)
            {
                ids.Add(v);
            }
        }
    }

    internal static OrderStoryView Compose(StoryDocument doc, IReadOnlyDictionary<Guid, StoryPerson> people, DateTimeOffset now)
    {
        var order = doc.Order!;
        people.TryGetValue(order.UserId, out var customer);
        var money = MoneyOf(doc);
        var allowance = RefundMath.Evaluate(PolicyOf(doc.Policy), doc.Event?.StartDate, now);
        var tickets = doc.Tickets.Select(t => Holding(t, people)).ToList();
        return new OrderStoryView(doc, order, customer, people, tickets, Timeline(doc, people), money, allowance, RefundMath.Available(money, allowance));
    }

    internal static RefundPolicyFacts? PolicyOf(StoryPolicy? p) => p is null ? null : new RefundPolicyFacts(p.Id, p.PolicyName, p.RefundWindowHours,
        [.. p.Rules.Select(r => new RefundRuleFacts(r.RuleType, r.ConditionType, r.ConditionValue, r.RefundPercentage, r.RuleConfig, r.Priority ?? 0))]);

    /// <summary>Refund statuses that no longer hold money back: the refund did not and will not happen.</summary>
    internal static bool Released(string status) =>
        status.ToUpperInvariant() is "REJECTED" or "FAILED" or "CANCELLED" or "CANCELED";

    internal static OrderMoney MoneyOf(StoryDocument doc)
    {
        var paid = doc.Payments
            .Where(p => p.Type == "ticket_purchase" && p.Status is "completed" or "partially_refunded" or "refunded")
            .Sum(p => RefundMath.ToCents(p.Amount));
        var live = doc.Refunds.Where(r => !Released(r.RefundStatus)).ToList();
        var reservedByOrder = live.Sum(r => r.RefundAmountCents);
        // Refunds the payment service recorded without an order refund (should not happen) still count.
        var reservedByPayment = doc.Payments.SelectMany(p => p.Refunds)
            .Where(r => r.Status is not ("failed" or "cancelled" or "canceled"))
            .Sum(r => RefundMath.ToCents(r.Amount));
        var refundedUnits = new Dictionary<Guid, int>();
        foreach (var r in live)
        {
            foreach (var (item, qty) in RefundedItems(r.RefundedItems))
            {
                refundedUnits[item] = refundedUnits.GetValueOrDefault(item) + qty;
            }
        }

        var items = doc.Items.Select(i => new RefundableItem(i.Id, i.TicketType ?? "Tickets", i.Quantity, i.UnitPriceCents, i.TotalPriceCents,
            refundedUnits.GetValueOrDefault(i.Id))).ToList();
        return new OrderMoney(paid, Math.Max(reservedByOrder, reservedByPayment), items);
    }

    /// <summary>order_refunds.refunded_items as the portal writes it: <c>[{"order_item_id": "...", "quantity": 1}]</c>.</summary>
    internal static IEnumerable<(Guid Item, int Quantity)> RefundedItems(JsonElement? items)
    {
        if (items is not { ValueKind: JsonValueKind.Array } array)
        {
            yield break;
        }

        foreach (var e in array.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.Object
                && e.TryGetProperty("order_item_id", out var id) && id.TryGetGuid(out var item)
                && e.TryGetProperty("quantity", out var q) && q.TryGetInt32(out var qty))
            {
                yield return (item, qty);
            }
        }
    }

    private static TicketHolding Holding(StoryTicket t, IReadOnlyDictionary<Guid, StoryPerson> people)
    {
        var holder = t.UserId is { } u && people.TryGetValue(u, out var p) ? $"{p.Name} <{p.Email}>" : t.UserId?.ToString() ?? "nobody";
        var how = "purchase";
        var lastSale = t.Listings.SelectMany(l => l.Sales).Where(s => s.Status == "completed").MaxBy(s => s.CompletedAt);
        var lastTransfer = t.Transfers.Where(x => x.Status is "completed" or "accepted").MaxBy(x => x.TransferredAt ?? x.AcceptedAt ?? x.CreatedAt);
        if (lastSale is not null && (lastTransfer is null || lastSale.CompletedAt >= (lastTransfer.TransferredAt ?? lastTransfer.AcceptedAt)))
        {
            how = "marketplace resale";
        }
        else if (lastTransfer is not null)
        {
            how = "transfer";
        }
        else if (t.UserId != t.OriginalPurchaserId)
        {
            how = "changed hands";
        }

        if (t.Mints.FirstOrDefault(m => m.Status == "completed" && m.OwnerAddress is not null) is { } mint)
        {
            how += $"; NFT owned by wallet {Short(mint.OwnerAddress!)}";
        }

        return new TicketHolding(t, holder, how);
    }

    internal static IReadOnlyList<TimelineEntry> Timeline(StoryDocument doc, IReadOnlyDictionary<Guid, StoryPerson> people)
    {
        var o = doc.Order!;
        var list = new List<TimelineEntry>();
        if (o.CreatedAt is { } created)
        {
            list.Add(new(created, TimelineKind.Order, $"Order {o.OrderNumber} placed", $"{o.TicketQuantity} tickets, {RefundMath.Money(o.TotalCents)}"));
        }

        if (o.ConfirmedAt is { } confirmed)
        {
            list.Add(new(confirmed, TimelineKind.Order, "Order confirmed"));
        }

        if (o.CancelledAt is { } cancelled)
        {
            list.Add(new(cancelled, TimelineKind.Order, "Order cancelled", Status: "CANCELLED"));
        }

        if (o.RefundedAt is { } refunded)
        {
            list.Add(new(refunded, TimelineKind.Order, "Order refunded", Status: o.Status));
        }

        foreach (var d in doc.Discounts)
        {
            list.Add(new(d.AppliedAt, TimelineKind.Order, $"Discount {d.DiscountCode} applied", $"{d.DiscountType}, {RefundMath.Money(d.AmountCents)}"));
        }

        foreach (var e in doc.Events)
        {
            list.Add(new(e.CreatedAt, TimelineKind.Order, Humanize(e.EventType), Detail(e.Metadata)));
        }

        foreach (var p in doc.Payments)
        {
            var at = p.CreatedAt ?? doc.Order!.CreatedAt ?? default;
            {
                list.Add(new(at, TimelineKind.Payment, $"Payment {p.Type.Replace('_', ' ')} {RefundMath.Money(RefundMath.ToCents(p.Amount))}",
                    string.Join(", ", new[] { p.CardBrand, p.StripeChargeId }.Where(s => s is not null)), p.Status));
            }

            foreach (var r in p.Refunds)
            {
                list.Add(new(r.CreatedAt ?? at, TimelineKind.Refund, $"Payment refund {RefundMath.Money(RefundMath.ToCents(r.Amount))}", r.Reason, r.Status));
            }

            foreach (var c in p.Chargebacks)
            {
                list.Add(new(c.DisputedAt, TimelineKind.Chargeback, $"Chargeback {RefundMath.Money(c.AmountCents)}", c.Reason, c.Status));
                if (c.ResolvedAt is { } resolved)
                {
                    list.Add(new(resolved, TimelineKind.Chargeback, "Chargeback resolved", c.Outcome, c.Status));
                }
            }
        }

        foreach (var i in doc.Intents)
        {
            foreach (var a in i.Attempts)
            {
                list.Add(new(a.AttemptedAt ?? i.CreatedAt ?? default, TimelineKind.Payment, $"Payment attempt {a.AttemptNumber}",
                    string.Join(", ", new[] { a.PaymentMethodType, a.FailureCode, a.FailureMessage }.Where(s => s is not null)), a.Status));
            }
        }

        foreach (var r in doc.Refunds)
        {
            var by = r.Metadata is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("requested_by_name", out var n) ? $" by {n.GetString()}" : "";
            list.Add(new(r.CreatedAt ?? default, TimelineKind.Refund, $"Refund {RefundMath.Money(r.RefundAmountCents)} ({r.RefundType.ToLowerInvariant()}){by}",
                r.RefundReason, r.RefundStatus));
        }

        foreach (var t in doc.Tickets)
        {
            list.Add(new(t.CreatedAt, TimelineKind.Ticket, $"Ticket {t.TicketNumber} issued", $"{t.TicketType} {Seat(t)}".Trim(), t.Status));
            foreach (var tr in t.Transfers)
            {
                list.Add(new(tr.TransferredAt ?? tr.AcceptedAt ?? tr.CreatedAt, TimelineKind.Transfer,
                    $"Ticket {t.TicketNumber} transferred to {PersonName(people, tr.ToUserId) ?? tr.ToEmail}", tr.TransferMethod, tr.Status));
            }

            foreach (var l in t.Listings)
            {
                list.Add(new(l.ListedAt ?? default, TimelineKind.Resale, $"Ticket {t.TicketNumber} listed for resale at {RefundMath.Money(l.Price)}",
                    $"seller {PersonName(people, l.SellerId)}", l.Status));
                foreach (var s in l.Sales)
                {
                    list.Add(new(s.CompletedAt ?? s.InitiatedAt ?? default, TimelineKind.Resale,
                        $"Ticket {t.TicketNumber} resold to {PersonName(people, s.BuyerId)}", RefundMath.Money(s.UsdValue), s.Status));
                }
            }

            foreach (var mint in t.Mints)
            {
                list.Add(new(mint.CompletedAt ?? mint.CreatedAt, TimelineKind.Nft, $"Ticket {t.TicketNumber} minted as NFT",
                    mint.OwnerAddress is null ? mint.Blockchain : $"{mint.Blockchain}, owner {Short(mint.OwnerAddress)}", mint.Status));
            }

            foreach (var s in t.Scans)
            {
                list.Add(new(s.ScannedAt, TimelineKind.Scan, $"Ticket {t.TicketNumber} scanned at the door",
                    string.Join(", ", new[] { s.Location, s.Reason }.Where(x => x is not null)), s.Result));
            }

            foreach (var n in t.Notifications)
            {
                list.Add(new(n.SentAt ?? n.CreatedAt, TimelineKind.Notification, $"Ticket {t.TicketNumber}: {Humanize(n.Type)}", null, n.Status));
            }
        }

        foreach (var n in doc.Scheduled)
        {
            list.Add(new(n.SentAt ?? n.CreatedAt ?? n.ScheduledFor, TimelineKind.Notification, $"{Humanize(n.NotificationType)} ({n.Channel})", n.Recipient, n.Status));
        }

        foreach (var n in doc.Notifications)
        {
            list.Add(new(n.CreatedAt ?? default, TimelineKind.Notification, n.Subject ?? n.TemplateName ?? "Notification", $"{n.Channel}{(n.FailedReason is null ? "" : ", " + n.FailedReason)}",
                n.DeliveryStatus ?? n.Status));
        }

        foreach (var note in doc.Notes)
        {
            list.Add(new(note.CreatedAt, TimelineKind.Note, $"Note ({Humanize(note.NoteType)})", note.Content));
        }

        return [.. list.OrderBy(e => e.At).ThenBy(e => e.Kind)];
    }

    private static string? PersonName(IReadOnlyDictionary<Guid, StoryPerson> people, Guid? id) =>
        id is { } v ? people.TryGetValue(v, out var p) ? p.Name : v.ToString()[..8] : null;

    private static string Seat(StoryTicket t) => t.Section is null ? "" : $"section {t.Section} row {t.Row} seat {t.Seat}";

    private static string Short(string s) => s.Length <= 12 ? s : s[..6] + "…" + s[^4..];

    internal static string Humanize(string code)
    {
        var s = code.Replace('_', ' ').Replace('.', ' ').ToLowerInvariant();
        return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
    }

    private static string? Detail(JsonElement? metadata)
    {
        if (metadata is not { ValueKind: JsonValueKind.Object } m)
        {
            return null;
        }

        if (m.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.String)
        {
            return s.GetString();
        }

        var text = m.GetRawText();
        return text == "{}" ? null : text.Length > 160 ? text[..160] + "…" : text;
    }

    /// <summary>The whole story of one order as one JSON document. Each list is one correlated subquery on indexed keys.</summary>
    internal static FormattableString StorySql(Guid id) => $$"""
        WITH o AS (SELECT * FROM public.orders WHERE id = {{id}}),
        e AS (SELECT ev.* FROM public.events ev JOIN o ON ev.id = o.event_id),
        tk AS (
            SELECT t.* FROM public.tickets t JOIN o ON t.tenant_id = o.tenant_id AND t.original_purchaser_id = o.user_id
            WHERE t.deleted_at IS NULL AND (t.payment_id = o.payment_intent_id OR t.metadata->>'order_number' = o.order_number))
        SELECT json_build_object(
          'order', (SELECT json_build_object('id', o.id, 'tenant_id', o.tenant_id, 'user_id', o.user_id, 'event_id', o.event_id,
                'order_number', o.order_number, 'status', o.status, 'payment_status', o.payment_status, 'subtotal_cents', o.subtotal_cents,
                'platform_fee_cents', o.platform_fee_cents, 'processing_fee_cents', o.processing_fee_cents, 'tax_cents', o.tax_cents,
                'discount_cents', o.discount_cents, 'total_cents', o.total_cents, 'currency', o.currency, 'payment_intent_id', o.payment_intent_id,
                'ticket_quantity', o.ticket_quantity, 'created_at', o.created_at, 'confirmed_at', o.confirmed_at, 'cancelled_at', o.cancelled_at,
                'refunded_at', o.refunded_at, 'has_dispute', o.has_dispute, 'dispute_status', o.dispute_status, 'refund_locked', o.refund_locked) FROM o),
          'event', (SELECT json_build_object('id', e.id, 'name', e.name, 'start_date', e.start_date, 'event_type', e.event_type,
                'status', e.status, 'venue_id', e.venue_id) FROM e),
          'venue', (SELECT json_build_object('id', v.id, 'name', v.name, 'city', v.city) FROM public.venues v JOIN e ON v.id = e.venue_id),
          'tenant', (SELECT json_build_object('id', tn.id, 'name', tn.name, 'slug', tn.slug) FROM public.tenants tn JOIN o ON tn.id = o.tenant_id),
          'items', (SELECT coalesce(json_agg(json_build_object('id', i.id, 'ticket_type_id', i.ticket_type_id, 'ticket_type', tt.name,
                'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents, 'total_price_cents', i.total_price_cents, 'created_at', i.created_at)
                ORDER BY i.created_at, i.id), '[]'::json)
                FROM public.order_items i LEFT JOIN public.ticket_types tt ON tt.id = i.ticket_type_id WHERE i.order_id = {{id}}),
          'discounts', (SELECT coalesce(json_agg(json_build_object('id', d.id, 'discount_code', d.discount_code, 'discount_type', d.discount_type,
                'amount_cents', d.amount_cents, 'applied_at', d.applied_at) ORDER BY d.applied_at), '[]'::json)
                FROM public.order_discounts d WHERE d.order_id = {{id}}),
          'events', (SELECT coalesce(json_agg(json_build_object('id', x.id, 'event_type', x.event_type, 'user_id', x.user_id,
                'created_at', x.created_at, 'metadata', x.metadata) ORDER BY x.created_at), '[]'::json)
                FROM public.order_events x WHERE x.order_id = {{id}}),
          'notes', (SELECT coalesce(json_agg(json_build_object('id', n.id, 'note_type', n.note_type, 'content', n.content,
                'admin_user_id', n.admin_user_id, 'is_flagged', n.is_flagged, 'created_at', n.created_at) ORDER BY n.created_at), '[]'::json)
                FROM public.order_notes n JOIN o ON n.tenant_id = o.tenant_id WHERE n.order_id = {{id}}),
          'refunds', (SELECT coalesce(json_agg(json_build_object('id', r.id, 'refund_amount_cents', r.refund_amount_cents,
                'refund_reason', r.refund_reason, 'refund_status', r.refund_status, 'refund_type', r.refund_type, 'refunded_items', r.refunded_items,
                'remaining_balance_cents', r.remaining_balance_cents, 'initiated_by', r.initiated_by, 'metadata', r.metadata,
                'reason_notes', r.reason_notes, 'created_at', r.created_at, 'updated_at', r.updated_at) ORDER BY r.created_at), '[]'::json)
                FROM public.order_refunds r WHERE r.order_id = {{id}}),
          'payments', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'type', p.type, 'amount', p.amount, 'currency', p.currency,
                'status', p.status, 'stripe_payment_intent_id', p.stripe_payment_intent_id, 'stripe_charge_id', p.stripe_charge_id,
                'card_brand', p.metadata->>'card_brand', 'created_at', p.created_at,
                'refunds', (SELECT coalesce(json_agg(json_build_object('id', pr.id, 'amount', pr.amount, 'reason', pr.reason, 'status', pr.status,
                      'created_at', pr.created_at, 'completed_at', pr.completed_at) ORDER BY pr.created_at), '[]'::json)
                      FROM public.payment_refunds pr WHERE pr.transaction_id = p.id),
                'chargebacks', (SELECT coalesce(json_agg(json_build_object('id', c.id, 'amount_cents', c.amount_cents, 'reason', c.reason,
                      'status', c.status, 'disputed_at', c.disputed_at, 'resolved_at', c.resolved_at, 'outcome', c.outcome) ORDER BY c.disputed_at), '[]'::json)
                      FROM public.payment_chargebacks c WHERE c.transaction_id = p.id)
                ) ORDER BY p.created_at), '[]'::json)
                FROM public.payment_transactions p WHERE p.order_id = {{id}} AND p.deleted_at IS NULL),
          'intents', (SELECT coalesce(json_agg(json_build_object('id', pi.id, 'status', pi.status, 'amount', pi.amount, 'processor', pi.processor,
                'created_at', pi.created_at,
                'attempts', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'attempt_number', a.attempt_number, 'status', a.status,
                      'failure_code', a.failure_code, 'failure_message', a.failure_message, 'payment_method_type', a.payment_method_type,
                      'attempted_at', a.attempted_at) ORDER BY a.attempt_number), '[]'::json)
                      FROM public.payment_attempts a WHERE a.payment_intent_id = pi.id)
                ) ORDER BY pi.created_at), '[]'::json)
                FROM public.payment_intents pi WHERE pi.order_id = {{id}}),
          'scheduled', (SELECT coalesce(json_agg(json_build_object('id', s.id, 'notification_type', s.notification_type, 'channel', s.channel,
                'status', s.status, 'scheduled_for', s.scheduled_for, 'sent_at', s.sent_at, 'recipient', s.recipient, 'created_at', s.created_at)
                ORDER BY s.scheduled_for), '[]'::json)
                FROM public.scheduled_notifications s WHERE s.order_id = {{id}}),
          'notifications', (SELECT coalesce(json_agg(json_build_object('id', nh.id, 'channel', nh.channel, 'template_name', nh.template_name,
                'subject', nh.subject, 'status', nh.status, 'delivery_status', nh.delivery_status, 'delivered_at', nh.delivered_at,
                'failed_reason', nh.failed_reason, 'created_at', nh.created_at) ORDER BY nh.created_at), '[]'::json)
                FROM public.notification_history nh JOIN o ON nh.recipient_id = o.user_id
                WHERE nh.deleted_at IS NULL AND (nh.metadata->>'order_id' = o.id::text OR nh.metadata->>'order_number' = o.order_number)),
          'tickets', (SELECT coalesce(json_agg(json_build_object('id', t.id, 'ticket_number', t.ticket_number, 'qr_code', t.qr_code,
                'status', t.status, 'user_id', t.user_id, 'original_purchaser_id', t.original_purchaser_id, 'section', t.section, 'row', t."row",
                'seat', t.seat, 'is_nft', t.is_nft, 'token_mint', t.token_mint, 'ticket_type', tt.name, 'created_at', t.created_at,
                'checked_in_at', t.checked_in_at,
                'transfers', (SELECT coalesce(json_agg(json_build_object('id', tr.id, 'from_user_id', tr.from_user_id, 'to_user_id', tr.to_user_id,
                      'to_email', tr.to_email, 'transfer_method', tr.transfer_method, 'status', tr.status, 'created_at', tr.created_at,
                      'accepted_at', tr.accepted_at, 'transferred_at', tr.transferred_at, 'cancelled_at', tr.cancelled_at) ORDER BY tr.created_at), '[]'::json)
                      FROM public.ticket_transfers tr WHERE tr.ticket_id = t.id),
                'listings', (SELECT coalesce(json_agg(json_build_object('id', l.id, 'seller_id', l.seller_id, 'price', l.price, 'status', l.status,
                      'listed_at', l.listed_at, 'sold_at', l.sold_at, 'cancelled_at', l.cancelled_at,
                      'sales', (SELECT coalesce(json_agg(json_build_object('id', mt.id, 'buyer_id', mt.buyer_id, 'usd_value', mt.usd_value,
                            'status', mt.status, 'initiated_at', mt.initiated_at, 'completed_at', mt.completed_at) ORDER BY mt.initiated_at), '[]'::json)
                            FROM public.marketplace_transfers mt WHERE mt.listing_id = l.id AND mt.deleted_at IS NULL)
                      ) ORDER BY l.listed_at), '[]'::json)
                      FROM public.marketplace_listings l WHERE l.ticket_id = t.id AND l.deleted_at IS NULL),
                'mints', (SELECT coalesce(json_agg(json_build_object('id', nm.id, 'status', nm.status, 'mint_address', nm.mint_address,
                      'owner_address', nm.owner_address, 'blockchain', nm.blockchain, 'created_at', nm.created_at, 'completed_at', nm.completed_at)
                      ORDER BY nm.created_at), '[]'::json)
                      FROM public.nft_mints nm WHERE nm.ticket_id = t.id),
                'scans', (SELECT coalesce(json_agg(sc ORDER BY sc.scanned_at), '[]'::json) FROM (
                      SELECT ts.id, 'ticket_scans' AS source, ts.result, ts.rejection_reason AS reason, ts.location, ts.scanned_at
                      FROM public.ticket_scans ts WHERE ts.ticket_id = t.id
                      UNION ALL
                      SELECT ds.id, 'scans', ds.result, ds.reason, NULL, ds.scanned_at FROM public.scans ds WHERE ds.ticket_id = t.id) sc),
                'notifications', (SELECT coalesce(json_agg(json_build_object('id', tnf.id, 'type', tnf.type, 'status', tnf.status,
                      'sent_at', tnf.sent_at, 'created_at', tnf.created_at) ORDER BY tnf.created_at), '[]'::json)
                      FROM public.ticket_notifications tnf WHERE tnf.ticket_id = t.id)
                ) ORDER BY t.ticket_number), '[]'::json)
                FROM tk t LEFT JOIN public.ticket_types tt ON tt.id = t.ticket_type_id),
          'policy', (SELECT json_build_object('id', rp.id, 'policy_name', rp.policy_name, 'refund_window_hours', rp.refund_window_hours,
                'rules', (SELECT coalesce(json_agg(json_build_object('rule_type', ru.rule_type, 'condition_type', ru.condition_type,
                      'condition_value', ru.condition_value, 'refund_percentage', ru.refund_percentage, 'rule_config', ru.rule_config,
                      'priority', ru.priority) ORDER BY ru.priority DESC), '[]'::json)
                      FROM public.refund_policy_rules ru WHERE ru.policy_id = rp.id AND ru.active IS NOT FALSE AND ru.is_active IS NOT FALSE))
                FROM public.refund_policies rp JOIN o ON rp.tenant_id = o.tenant_id LEFT JOIN e ON true
                WHERE rp.active IS NOT FALSE AND rp.is_active IS NOT FALSE
                  AND (rp.event_type = e.event_type OR rp.is_default IS TRUE)
                ORDER BY (rp.event_type = e.event_type) DESC NULLS LAST, rp.created_at LIMIT 1),
          'reasons', (SELECT coalesce(json_agg(json_build_object('id', rr.id, 'reason_code', rr.reason_code, 'reason_text', rr.reason_text)
                ORDER BY rr.priority DESC NULLS LAST, rr.reason_code), '[]'::json)
                FROM public.refund_reasons rr JOIN o ON rr.tenant_id = o.tenant_id WHERE rr.active IS NOT FALSE)
        )::text AS "Value"
        """;
}
