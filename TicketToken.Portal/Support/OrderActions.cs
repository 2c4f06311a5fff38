using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Support;

/// <summary>What an action did. <see cref="Repeated"/>: the same request (idempotency key) was already carried out; nothing changed now.</summary>
public sealed record ActionOutcome(bool Succeeded, string Message, bool Repeated = false, Guid? RecordId = null, bool AwaitingApproval = false)
{
    public static ActionOutcome Fail(string message) => new(false, message);
}

/// <summary>The parts every order action has: which order (and its tenant), the idempotency key made when the dialog opened, a reason code.</summary>
public sealed record OrderCommand(Guid OrderId, Guid TenantId, Guid IdempotencyKey, string ReasonCode, string? Note = null);

public sealed record RefundRequest(OrderCommand Command, RefundKind Kind, long? AmountCents = null, IReadOnlyList<ItemSelection>? Items = null);

public enum ResendKind
{
    Confirmation,
    Tickets,
}

public sealed record PendingApproval(
    Guid RefundId, Guid OrderId, Guid TenantId, string OrderNumber, string? TenantName, long AmountCents, string RefundType, string Reason,
    Guid? RequestedBy, string? RequestedByName, DateTimeOffset? RequestedAt);

/// <summary>
/// The support actions on an order. Each runs in one transaction in the order's tenant that first locks the order row
/// (<c>SELECT ... FOR UPDATE</c>), so actions on one order run one at a time; then looks for its idempotency key in the
/// portal audit log (a repeat returns the first outcome and changes nothing); then writes the platform rows and the portal
/// audit entry on the same connection, committed together or not at all. Refunds also carry their order refund id as the
/// payment refund's idempotency key (unique per tenant in payment_refunds). The portal never calls a card processor: an
/// outbox event asks the payment service to execute a refund.
/// </summary>
public sealed class OrderActions(
    IDbContextFactory<PlatformDbContext> platform,
    IPortalActor actor,
    IOptions<SupportOptions> options,
    TimeProvider clock)
{
    public const string RefundRequestAction = "support.refund.request";
    public const string RefundApproveAction = "support.refund.approve";
    public const string RefundRejectAction = "support.refund.reject";
    public const string CancelAction = "support.order.cancel";
    public const string ResendAction = "support.order.resend";
    public const string NoteAction = "support.order.note";
    public const string ReissueQrAction = "support.ticket.reissue_qr";

    public const string AwaitingApproval = "AWAITING_APPROVAL";

    public long ApprovalThresholdCents => options.Value.RefundApprovalThresholdCents;

    // ------------------------------------------------------------------ refunds

    public Task<ActionOutcome> RefundAsync(RefundRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(request.Command, RefundRequestAction, user, (db, who, story, now, token) => RefundStepAsync(request, db, who, story, now, token), ct);
    }

    /// <summary>
    /// Records a refund inside the action's transaction: the order_refunds row, and either the order event that it awaits
    /// approval or the pending payment refund and its outbox event. Shared by a refund and by a cancellation that refunds.
    /// </summary>
    private async Task<Step> RefundStepAsync(RefundRequest request, PlatformDbContext db, PortalActorInfo who, OrderStoryView story, DateTimeOffset now, CancellationToken token)
    {
        var c = request.Command;
        var reason = story.Document.Reasons.FirstOrDefault(r => r.ReasonCode == c.ReasonCode);
        if (reason is null && !SupportReasonCodes.IsKnown(c.ReasonCode))
        {
            return Failed("Choose a reason for the refund.");
        }

        if (story.Order.RefundLocked == true)
        {
            return Failed("Refunds are locked on this order (a dispute is open). Resolve the dispute first.");
        }

        var (calc, error) = RefundMath.Calculate(story.Money, story.Allowance, request.Kind, request.AmountCents, request.Items);
        if (calc is null)
        {
            return Failed(error!);
        }

        var needsApproval = calc.AmountCents > ApprovalThresholdCents || story.Allowance.Exception;
        var refundId = Guid.NewGuid();
        var items = new JsonArray([.. calc.Items.Select(i => new JsonObject { ["order_item_id"] = i.ItemId, ["quantity"] = i.Quantity })]);
        var metadata = new JsonObject
        {
            ["source"] = "portal",
            ["idempotency_key"] = c.IdempotencyKey,
            ["reason_code"] = c.ReasonCode,
            ["requested_by"] = who.UserId,
            ["requested_by_name"] = who.Name,
        };
        var calculation = new JsonObject
        {
            ["rule"] = calc.Rule,
            ["paid_cents"] = story.Money.PaidCents,
            ["earlier_refunds_cents"] = story.Money.ReservedCents,
            ["available_cents"] = calc.AvailableCents,
            ["percentage"] = story.Allowance.Percentage,
            ["fee_cents"] = story.Allowance.FeeCents,
            ["policy"] = story.Allowance.Explanation,
            ["approval_threshold_cents"] = ApprovalThresholdCents,
            ["policy_exception"] = story.Allowance.Exception,
        };
        var type = request.Kind switch { RefundKind.Full => "FULL", RefundKind.Item => "ITEM", _ => "PARTIAL" };
        var status = needsApproval ? AwaitingApproval : "PENDING";
        var reasonText = reason?.ReasonText ?? SupportReasonCodes.All.First(r => r.Code == c.ReasonCode).Text;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO public.order_refunds (id, tenant_id, order_id, refund_amount_cents, refund_reason, refund_status, initiated_by, metadata,
                refund_type, refunded_items, remaining_balance_cents, policy_id, reason_id, reason_notes, policy_calculation, created_at, updated_at)
            VALUES ({refundId}, {story.TenantId}, {c.OrderId}, {calc.AmountCents}, {reasonText}, {status}, {who.UserId}, CAST({metadata.ToJsonString()} AS jsonb),
                CAST({type} AS public.refund_type), CAST({items.ToJsonString()} AS jsonb), {(int)calc.RemainingBalanceCents},
                {story.Document.Policy?.Id}, {reason?.Id}, {c.Note}, CAST({calculation.ToJsonString()} AS jsonb), {now}, {now})
            """, token);

        string message;
        if (needsApproval)
        {
            await OrderEventAsync(db, story, "REFUND_AWAITING_APPROVAL", $"Refund of {RefundMath.Money(calc.AmountCents)} requested by {who.Name}; awaits a second person's approval", who, now, token);
            message = story.Allowance.Exception
                ? $"Refund of {RefundMath.Money(calc.AmountCents)} is a policy exception: it waits for another person's approval."
                : $"Refund of {RefundMath.Money(calc.AmountCents)} is above {RefundMath.Money(ApprovalThresholdCents)}: it waits for another person's approval.";
        }
        else
        {
            await ExecuteRefundAsync(db, story, refundId, calc.AmountCents, c.ReasonCode, who, null, now, token);
            message = $"Refund of {RefundMath.Money(calc.AmountCents)} recorded as pending; the payment service will execute it.";
        }

        var after = new JsonObject
        {
            ["order_refund_id"] = refundId,
            ["amount_cents"] = calc.AmountCents,
            ["refund_type"] = type,
            ["status"] = status,
            ["remaining_balance_cents"] = calc.RemainingBalanceCents,
            ["items"] = items.DeepClone(),
            ["rule"] = calc.Rule,
        };
        return Done(new ActionOutcome(true, message, RecordId: refundId, AwaitingApproval: needsApproval), "order_refunds", refundId, after);
    }

    /// <summary>Approves or rejects a refund awaiting approval. The person who requested it can never decide it.</summary>
    public async Task<ActionOutcome> DecideRefundAsync(Guid tenantId, Guid refundId, bool approve, string reason, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!SupportAccess.CanApprove(user))
        {
            throw new SupportAccessDeniedException("Only support agents, finance analysts and administrators may approve refunds.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return ActionOutcome.Fail("Say why you approve or reject the refund.");
        }

        var who = await ActorAsync();
        var action = approve ? RefundApproveAction : RefundRejectAction;
        return await platform.InTenantAsync(tenantId, async (db, token) =>
        {
            var orderId = await db.Database.SqlQuery<Guid>($"SELECT order_id AS \"Value\" FROM public.order_refunds WHERE id = {refundId}")
                .SingleOrDefaultAsync(token);
            if (orderId == Guid.Empty)
            {
                return ActionOutcome.Fail("That refund was not found.");
            }

            await LockOrderAsync(db, orderId, token);
            var row = await db.Database.SqlQuery<string>($"""
                SELECT json_build_object('status', refund_status, 'amount', refund_amount_cents, 'initiated_by', initiated_by,
                    'requested_by', metadata->>'requested_by', 'reason_code', metadata->>'reason_code', 'decided_by', metadata->>'decided_by_name')::text AS "Value"
                FROM public.order_refunds WHERE id = {refundId} FOR UPDATE
                """).SingleAsync(token);
            var facts = JsonDocument.Parse(row).RootElement;
            var status = facts.GetProperty("status").GetString();
            if (status != AwaitingApproval)
            {
                var by = facts.GetProperty("decided_by").GetString();
                return new ActionOutcome(false, $"This refund was already decided ({status}{(by is null ? "" : " by " + by)}); nothing changed.", Repeated: true, RecordId: refundId);
            }

            var requester = Guid.TryParse(facts.GetProperty("requested_by").GetString(), out var r) ? r
                : facts.GetProperty("initiated_by").ValueKind == JsonValueKind.String ? facts.GetProperty("initiated_by").GetGuid() : (Guid?)null;
            if (requester is null || requester == who.UserId)
            {
                return ActionOutcome.Fail("You requested this refund, so you cannot approve or reject it: another person must decide it.");
            }

            var now = clock.GetUtcNow();
            var amount = facts.GetProperty("amount").GetInt64();
            var decision = new JsonObject
            {
                ["decided_by"] = who.UserId,
                ["decided_by_name"] = who.Name,
                ["decided_at"] = now,
                ["decision"] = approve ? "approved" : "rejected",
                ["decision_reason"] = reason,
            };
            var newStatus = approve ? "PENDING" : "REJECTED";
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE public.order_refunds SET refund_status = {newStatus}, updated_at = {now},
                    metadata = coalesce(metadata, jsonb_build_object()) || CAST({decision.ToJsonString()} AS jsonb)
                WHERE id = {refundId}
                """, token);
            var story = await StoryInTransactionAsync(db, orderId, token);
            if (approve)
            {
                // The refund's amount was reserved when requested: it still fits within what was paid minus the other refunds.
                if (story.Money.ReservedCents > story.Money.PaidCents)
                {
                    throw new InvalidOperationException("Refunds would exceed what was paid.");
                }

                await ExecuteRefundAsync(db, story, refundId, amount, facts.GetProperty("reason_code").GetString() ?? "OTHER", who, reason, now, token);
            }
            else
            {
                await OrderEventAsync(db, story, "REFUND_REJECTED", $"Refund of {RefundMath.Money(amount)} rejected by {who.Name}: {reason}", who, now, token);
            }

            await AuditAsync(db, who, action, "order_refunds", refundId.ToString(), tenantId,
                new JsonObject { ["status"] = AwaitingApproval }, new JsonObject { ["status"] = newStatus, ["amount_cents"] = amount, ["order_id"] = orderId },
                reason, now, token);
            return new ActionOutcome(true, approve
                ? $"Approved: the refund of {RefundMath.Money(amount)} is pending with the payment service."
                : $"Rejected: the refund of {RefundMath.Money(amount)} will not be made.", RecordId: refundId);
        }, ct);
    }

    /// <summary>Refunds awaiting a second person's approval, across tenants (an audited read).</summary>
    public static async Task<IReadOnlyList<PendingApproval>> PendingApprovalsAsync(CrossTenantAccess access, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(user);
        if (!SupportAccess.CanApprove(user))
        {
            throw new SupportAccessDeniedException("Only support agents, finance analysts and administrators may see refunds awaiting approval.");
        }

        return await access.AcrossTenantsAsync("support: refunds awaiting approval", async (db, token) =>
        {
            var json = await db.Database.SqlQuery<string>($"""
                SELECT coalesce(json_agg(json_build_object('refund_id', r.id, 'order_id', r.order_id, 'tenant_id', r.tenant_id,
                    'order_number', o.order_number, 'tenant_name', tn.name, 'amount_cents', r.refund_amount_cents, 'refund_type', r.refund_type,
                    'reason', r.refund_reason, 'requested_by', r.metadata->>'requested_by', 'requested_by_name', r.metadata->>'requested_by_name',
                    'requested_at', r.created_at) ORDER BY r.created_at), '[]'::json)::text AS "Value"
                FROM (SELECT * FROM public.order_refunds WHERE refund_status = {AwaitingApproval} ORDER BY created_at LIMIT 200) r
                JOIN public.orders o ON o.id = r.order_id LEFT JOIN public.tenants tn ON tn.id = r.tenant_id
                """).SingleAsync(token);
            return (IReadOnlyList<PendingApproval>)(JsonSerializer.Deserialize<List<PendingApproval>>(json, OrderStory.Json) ?? []);
        }, ct);
    }

    // ------------------------------------------------------------------ other actions

    /// <summary>
    /// Cancels the order and voids its tickets. With <paramref name="refundPaid"/>, the same transaction also requests a
    /// full refund of what the policy still allows (pending, or awaiting approval like any refund above the threshold or
    /// outside the policy), audited as a refund request too; when that refund cannot be made, nothing is cancelled either.
    /// </summary>
    public Task<ActionOutcome> CancelAsync(OrderCommand command, ClaimsPrincipal user, CancellationToken ct, bool refundPaid = false)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RunAsync(command, CancelAction, user, async (db, who, story, now, token) =>
        {
            if (!SupportReasonCodes.IsKnown(command.ReasonCode))
            {
                return Failed("Choose a reason for cancelling.");
            }

            if (story.Order.Status.ToUpperInvariant() is "CANCELLED" or "REFUNDED" or "EXPIRED")
            {
                return Failed($"The order is {story.Order.Status} and cannot be cancelled.");
            }

            // The refund first: it checks everything before it writes, so a refund that cannot be made leaves the order as it was.
            Step? refund = null;
            if (refundPaid && story.Money.RefundableCents > 0)
            {
                refund = await RefundStepAsync(new RefundRequest(command, RefundKind.Full), db, who, story, now, token);
                if (!refund.Outcome.Succeeded)
                {
                    return Failed($"{refund.Outcome.Message} The order was not cancelled.");
                }

                var refundAfter = Stamped((JsonObject)refund.After!.DeepClone(), command.IdempotencyKey.ToString(), refund);
                refundAfter["with_cancellation"] = true;
                await AuditAsync(db, who, RefundRequestAction, "orders", command.OrderId.ToString(), story.TenantId, null, refundAfter, AuditReason(command), now, token);
            }

            var ticketIds = story.Tickets.Where(t => t.Ticket.Status is not ("cancelled" or "refunded" or "revoked" or "used" or "checked_in"))
                .Select(t => t.Ticket.Id).ToArray();
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE public.orders SET status = 'CANCELLED', cancelled_at = {now}, updated_at = {now} WHERE id = {command.OrderId}
                """, token);
            var reasonText = $"Cancelled by support: {command.ReasonCode}";
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE public.tickets SET status = 'cancelled', status_reason = {reasonText}, status_changed_at = {now}, updated_at = {now}
                WHERE id = ANY({ticketIds})
                """, token);
            await OutboxAsync(db, story.TenantId, command.OrderId, "order", "order.cancelled", new JsonObject
            {
                ["order_id"] = command.OrderId,
                ["order_number"] = story.Order.OrderNumber,
                ["cancelled_ticket_ids"] = new JsonArray([.. ticketIds.Select(id => (JsonNode)id.ToString())]),
                ["reason_code"] = command.ReasonCode,
                ["cancelled_by"] = who.Name,
            }, now, token);
            var unrefunded = story.Money.RefundableCents;
            await OrderEventAsync(db, story, "ORDER_CANCELLED", $"Cancelled by {who.Name} ({command.ReasonCode}); {ticketIds.Length} tickets voided", who, now, token);
            var message = $"Order cancelled; {ticketIds.Length} tickets voided."
                + (refund is not null ? " " + refund.Outcome.Message
                    : unrefunded > 0 ? $" {RefundMath.Money(unrefunded)} paid has not been refunded: refund it separately if it is owed." : "");
            var after = new JsonObject { ["status"] = "CANCELLED", ["voided_tickets"] = ticketIds.Length };
            if (refund is not null)
            {
                after["order_refund_id"] = refund.Record?.ToString();
                after["refund_amount_cents"] = refund.After!["amount_cents"]!.DeepClone();
                after["refund_status"] = refund.After["status"]!.DeepClone();
            }

            return Done(new ActionOutcome(true, message, RecordId: command.OrderId, AwaitingApproval: refund?.Outcome.AwaitingApproval ?? false), "orders", command.OrderId,
                after, new JsonObject { ["status"] = story.Order.Status });
        }, ct);
    }

    public Task<ActionOutcome> ResendAsync(OrderCommand command, ResendKind kind, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RunAsync(command, ResendAction, user, async (db, who, story, now, token) =>
        {
            if (!SupportReasonCodes.IsKnown(command.ReasonCode))
            {
                return Failed("Choose a reason for resending.");
            }

            if (story.Customer is null)
            {
                return Failed("The customer's account was not found, so there is no address to send to.");
            }

            if (kind == ResendKind.Tickets && story.Tickets.Count == 0)
            {
                return Failed("The order has no tickets to resend.");
            }

            var id = Guid.NewGuid();
            var type = kind == ResendKind.Tickets ? "ticket_delivery" : "order_confirmation";
            var subject = kind == ResendKind.Tickets ? $"Your tickets for order {story.Order.OrderNumber}" : $"Order {story.Order.OrderNumber} confirmed";
            var metadata = new JsonObject
            {
                ["source"] = "portal",
                ["resend"] = true,
                ["idempotency_key"] = command.IdempotencyKey,
                ["requested_by"] = who.Name,
                ["reason_code"] = command.ReasonCode,
                ["ticket_ids"] = kind == ResendKind.Tickets ? new JsonArray([.. story.Tickets.Select(t => (JsonNode)t.Ticket.Id.ToString())]) : null,
            };
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO public.scheduled_notifications (id, tenant_id, order_id, user_id, notification_type, channel, status, scheduled_for,
                    retry_count, max_retries, recipient, subject, metadata, created_at, updated_at)
                VALUES ({id}, {story.TenantId}, {command.OrderId}, {story.Order.UserId}, {type}, CAST('email' AS public.notification_channel),
                    CAST('PENDING' AS public.scheduled_status), {now}, 0, 3, {story.Customer.Email}, {subject}, CAST({metadata.ToJsonString()} AS jsonb), {now}, {now})
                """, token);
            await OrderEventAsync(db, story, "NOTIFICATION_RESENT", $"{OrderStory.Humanize(type)} queued again by {who.Name}", who, now, token);
            return Done(new ActionOutcome(true, $"{OrderStory.Humanize(type)} queued for {story.Customer.Email}.", RecordId: id),
                "scheduled_notifications", id, new JsonObject { ["notification_type"] = type, ["recipient"] = story.Customer.Email });
        }, ct);
    }

    public Task<ActionOutcome> AddNoteAsync(OrderCommand command, string noteType, string content, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RunAsync(command, NoteAction, user, async (db, who, story, now, token) =>
        {
            var text = content?.Trim() ?? "";
            if (text.Length == 0)
            {
                return Failed("Write the note first.");
            }

            if (text.Length > 4000)
            {
                return Failed($"The note is {text.Length} characters long; keep it under 4,000.");
            }

            if (!NoteTypes.Contains(noteType))
            {
                return Failed("Choose the kind of note.");
            }

            var id = Guid.NewGuid();
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO public.order_notes (id, tenant_id, order_id, user_id, admin_user_id, note_type, content, is_internal, is_flagged, tags, created_at, updated_at)
                VALUES ({id}, {story.TenantId}, {command.OrderId}, {story.Order.UserId}, {who.UserId}, CAST({noteType} AS public.order_note_type), {text},
                    true, {noteType == "FRAUD_SUSPICION"}, {PortalTag}, {now}, {now})
                """, token);
            return Done(new ActionOutcome(true, "Note added.", RecordId: id), "order_notes", id,
                new JsonObject { ["note_type"] = noteType, ["length"] = text.Length });
        }, ct);
    }

    private static readonly string[] PortalTag = ["portal"];

    public static readonly IReadOnlyList<string> NoteTypes =
        ["INTERNAL_NOTE", "CUSTOMER_INQUIRY", "ISSUE_REPORTED", "RESOLUTION", "PAYMENT_ISSUE", "DELIVERY_ISSUE", "FRAUD_SUSPICION", "VIP_MARKER", "GENERAL"];

    public Task<ActionOutcome> ReissueQrAsync(OrderCommand command, Guid ticketId, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RunAsync(command, ReissueQrAction, user, async (db, who, story, now, token) =>
        {
            if (!SupportReasonCodes.IsKnown(command.ReasonCode))
            {
                return Failed("Choose a reason for reissuing the QR code.");
            }

            var ticket = story.Tickets.FirstOrDefault(t => t.Ticket.Id == ticketId)?.Ticket;
            if (ticket is null)
            {
                return Failed("That ticket is not part of this order.");
            }

            if (ticket.Status is "cancelled" or "refunded" or "revoked" or "used" or "checked_in")
            {
                return Failed($"The ticket is {ticket.Status}; its QR code cannot be reissued.");
            }

            var qr = "ttqr:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var stamp = new JsonObject { ["qr_reissued_at"] = now, ["qr_reissued_by"] = who.Name }.ToJsonString();
            var changed = await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE public.tickets SET qr_code = {qr}, updated_at = {now}, metadata = coalesce(metadata, jsonb_build_object()) || CAST({stamp} AS jsonb)
                WHERE id = {ticketId} AND qr_code = {ticket.QrCode}
                """, token);
            if (changed != 1)
            {
                return Failed("The ticket changed while you were looking at it; reload and try again.");
            }

            await OutboxAsync(db, story.TenantId, ticketId, "ticket", "ticket.qr_reissued", new JsonObject
            {
                ["ticket_id"] = ticketId,
                ["order_id"] = command.OrderId,
                ["reason_code"] = command.ReasonCode,
            }, now, token);
            await OrderEventAsync(db, story, "TICKET_QR_REISSUED", $"QR code of ticket {ticket.TicketNumber} reissued by {who.Name}; the old one no longer admits", who, now, token);
            return Done(new ActionOutcome(true, $"Ticket {ticket.TicketNumber} has a new QR code (…{qr[^6..]}); the old one (…{ticket.QrCode[^Math.Min(6, ticket.QrCode.Length)..]}) is invalid.", RecordId: ticketId),
                "tickets", ticketId, new JsonObject { ["qr_hint"] = "…" + qr[^6..] }, new JsonObject { ["qr_hint"] = ticket.QrHint });
        }, ct);
    }

    // ------------------------------------------------------------------ the frame every action runs in

    private sealed record Step(ActionOutcome Outcome, string? Table = null, Guid? Record = null, JsonObject? After = null, JsonObject? Before = null);

    /// <summary>An audit row's "after" with what a retry with the same idempotency key answers from (see <see cref="RunAsync"/>).</summary>
    private static JsonObject Stamped(JsonObject after, string idempotencyKey, Step step)
    {
        after["idempotency_key"] = idempotencyKey;
        after["message"] = step.Outcome.Message;
        after["record_id"] = step.Record?.ToString();
        after["record_table"] = step.Table;
        after["awaiting_approval"] = step.Outcome.AwaitingApproval;
        return after;
    }

    /// <summary>The audit row's reason: the reason code, and the agent's note after it when there is one.</summary>
    private static string AuditReason(OrderCommand command) =>
        command.Note is { Length: > 0 } note ? $"{command.ReasonCode}: {note}" : command.ReasonCode;

    private static Step Failed(string message) => new(ActionOutcome.Fail(message));

    private static Step Done(ActionOutcome outcome, string table, Guid record, JsonObject after, JsonObject? before = null) => new(outcome, table, record, after, before);

    private async Task<ActionOutcome> RunAsync(
        OrderCommand command, string action, ClaimsPrincipal user,
        Func<PlatformDbContext, PortalActorInfo, OrderStoryView, DateTimeOffset, CancellationToken, Task<Step>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!SupportAccess.CanAct(user))
        {
            throw new SupportAccessDeniedException("Only support agents and administrators may act on orders.");
        }

        if (command.IdempotencyKey == Guid.Empty)
        {
            return ActionOutcome.Fail("The request has no idempotency key; reopen the dialog and try again.");
        }

        var who = await ActorAsync();
        try
        {
            return await platform.InTenantAsync(command.TenantId, async (db, token) =>
            {
                if (!await LockOrderAsync(db, command.OrderId, token))
                {
                    return ActionOutcome.Fail("The order was not found in its tenant.");
                }

                var key = command.IdempotencyKey.ToString();
                var prior = await db.Database.SqlQuery<string>($"""
                    SELECT after::text AS "Value" FROM portal.audit_log
                    WHERE table_name = 'orders' AND record_key = {command.OrderId.ToString()} AND action = {action} AND after->>'idempotency_key' = {key}
                    LIMIT 1
                    """).FirstOrDefaultAsync(token);
                if (prior is not null)
                {
                    var done = JsonNode.Parse(prior)!;
                    return new ActionOutcome(true, "Already done: " + (string?)done["message"], Repeated: true,
                        RecordId: Guid.TryParse((string?)done["record_id"], out var rid) ? rid : null,
                        AwaitingApproval: (bool?)done["awaiting_approval"] ?? false);
                }

                var now = clock.GetUtcNow();
                var story = await StoryInTransactionAsync(db, command.OrderId, token);
                var step = await work(db, who, story, now, token);
                if (!step.Outcome.Succeeded)
                {
                    return step.Outcome;
                }

                var after = Stamped(step.After ?? [], key, step);
                await AuditAsync(db, who, action, "orders", command.OrderId.ToString(), story.TenantId, step.Before, after, AuditReason(command), now, token);
                return step.Outcome;
            }, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return new ActionOutcome(false, "This request was already carried out; nothing changed.", Repeated: true);
        }
    }

    private async Task<PortalActorInfo> ActorAsync()
    {
        var who = await actor.GetAsync();
        if (who.UserId is null)
        {
            throw new SupportAccessDeniedException("Sign in to act on orders.");
        }

        return who;
    }

    private static async Task<bool> LockOrderAsync(PlatformDbContext db, Guid orderId, CancellationToken ct) =>
        await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM public.orders WHERE id = {orderId} FOR UPDATE").AnyAsync(ct);

    /// <summary>The order's story read inside the action's transaction, after the lock: the numbers every check uses.</summary>
    private async Task<OrderStoryView> StoryInTransactionAsync(PlatformDbContext db, Guid orderId, CancellationToken ct)
    {
        var json = await db.Database.SqlQuery<string>(OrderStory.StorySql(orderId)).SingleAsync(ct);
        var doc = JsonSerializer.Deserialize<StoryDocument>(json, OrderStory.Json)!;
        var people = await OrderStory.PeopleAsync(db, doc.Order!.TenantId, [doc.Order.UserId], ct);
        return OrderStory.Compose(doc, people, clock.GetUtcNow());
    }

    /// <summary>The payment side of a refund that may go ahead: a pending payment refund and the outbox event the payment service executes.</summary>
    private static async Task ExecuteRefundAsync(
        PlatformDbContext db, OrderStoryView story, Guid refundId, long amountCents, string reasonCode, PortalActorInfo who, string? approval,
        DateTimeOffset now, CancellationToken ct)
    {
        var transaction = story.Document.Payments
            .Where(p => p.Type == "ticket_purchase" && p.Status is "completed" or "partially_refunded" or "refunded")
            .OrderByDescending(p => p.Amount).FirstOrDefault()
            ?? throw new InvalidOperationException("The order has no captured payment to refund.");
        var paymentRefundId = Guid.NewGuid();
        var metadata = new JsonObject { ["order_refund_id"] = refundId, ["source"] = "portal", ["requested_by"] = who.Name, ["approval"] = approval };
        var dollars = amountCents / 100m;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO public.payment_refunds (id, tenant_id, transaction_id, amount, reason, status, metadata, idempotency_key, created_at, updated_at)
            VALUES ({paymentRefundId}, {story.TenantId}, {transaction.Id}, {dollars}, {reasonCode}, 'pending', CAST({metadata.ToJsonString()} AS jsonb), {refundId}, {now}, {now})
            """, ct);
        await OutboxAsync(db, story.TenantId, refundId, "order_refund", "refund.requested", new JsonObject
        {
            ["order_refund_id"] = refundId,
            ["payment_refund_id"] = paymentRefundId,
            ["order_id"] = story.Order.Id,
            ["transaction_id"] = transaction.Id,
            ["stripe_payment_intent_id"] = transaction.StripePaymentIntentId,
            ["stripe_charge_id"] = transaction.StripeChargeId,
            ["amount_cents"] = amountCents,
            ["currency"] = story.Order.Currency,
            ["reason_code"] = reasonCode,
            ["idempotency_key"] = refundId,
        }, now, ct);
        await OrderEventAsync(db, story, "REFUND_REQUESTED",
            $"Refund of {RefundMath.Money(amountCents)} sent to the payment service{(approval is null ? "" : " after approval by " + who.Name)}", who, now, ct);
    }

    private static Task<int> OutboxAsync(PlatformDbContext db, Guid tenantId, Guid aggregateId, string aggregateType, string eventType, JsonObject payload, DateTimeOffset now, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO public.outbox (id, aggregate_id, aggregate_type, event_type, payload, tenant_id, attempts, created_at)
            VALUES ({Guid.NewGuid()}, {aggregateId}, {aggregateType}, {eventType}, CAST({payload.ToJsonString()} AS jsonb), {tenantId}, 0, {now})
            """, ct);

    private static Task<int> OrderEventAsync(PlatformDbContext db, OrderStoryView story, string type, string summary, PortalActorInfo who, DateTimeOffset now, CancellationToken ct)
    {
        var metadata = new JsonObject { ["summary"] = summary, ["source"] = "portal", ["portal_user"] = who.Name }.ToJsonString();
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO public.order_events (id, tenant_id, order_id, event_type, metadata, created_at)
            VALUES ({Guid.NewGuid()}, {story.TenantId}, {story.Order.Id}, {type}, CAST({metadata} AS jsonb), {now})
            """, ct);
    }

    /// <summary>The portal audit entry, written on the action's own connection and transaction.</summary>
    private static Task AuditAsync(
        PlatformDbContext db, PortalActorInfo who, string action, string table, string key, Guid tenantId, JsonObject? before, JsonObject? after,
        string reason, DateTimeOffset now, CancellationToken ct) =>
        db.Database.AppendAsync(who, new PortalAuditRecord(action, table, key, tenantId, before?.ToJsonString(), after?.ToJsonString(), reason, now), ct);
}
