using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Support;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

public sealed class OrderActionsTests() : TemplateDatabaseTest("tt_actions")
{
    private static readonly PortalActorInfo Maker = new(Guid.NewGuid(), "maker@example.test", "127.0.0.1");
    private static readonly PortalActorInfo Checker = new(Guid.NewGuid(), "checker@example.test", "127.0.0.1");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OrderCommand Command(SupportOrderScenario s, Guid? key = null, string reason = "CUSTOMER_REQUEST") =>
        new(s.Order, s.Tenant, key ?? Guid.NewGuid(), reason, "test");

    private Task<long> CountAsync(string sql, Guid id) => SupportOrderRows.CountAsync(Database, sql, ("id", id));

    private Task<long> AuditRowsAsync(Guid order, string action) => SupportOrderRows.CountAsync(Database,
        "SELECT count(*) FROM portal.audit_log WHERE record_key = @k AND action = @a", ("k", order.ToString()), ("a", action));

    [Fact]
    public async Task A_refund_submitted_twice_or_concurrently_has_one_effect_and_one_audit_row()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-double-refund");
        var actions = new SupportServices(Database, Maker).Actions();
        var request = new RefundRequest(Command(s), RefundKind.Partial, 2500);

        var results = await Task.WhenAll(
            actions.RefundAsync(request, SupportOrderRows.Agent, Ct),
            actions.RefundAsync(request, SupportOrderRows.Agent, Ct),
            actions.RefundAsync(request, SupportOrderRows.Agent, Ct));
        var retry = await actions.RefundAsync(request, SupportOrderRows.Agent, Ct);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Message));
        Assert.Equal(2, results.Count(r => r.Repeated));
        Assert.True(retry.Repeated);
        Assert.Equal(results.Single(r => !r.Repeated).RecordId, retry.RecordId);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id", s.Order));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.payment_refunds WHERE transaction_id = @id", s.Transaction));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'refund.requested' AND payload->>'order_id' = @id::text", s.Order));
        Assert.Equal(1, await AuditRowsAsync(s.Order, OrderActions.RefundRequestAction));
    }

    [Fact]
    public async Task A_partial_refund_is_recorded_consistently_in_the_order_and_payment_tables()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-partial");
        var actions = new SupportServices(Database, Maker).Actions();

        var first = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 4000), SupportOrderRows.Agent, Ct);
        var second = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 3000), SupportOrderRows.Agent, Ct);
        var tooMuch = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 7401), SupportOrderRows.Agent, Ct);
        var rest = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Full), SupportOrderRows.Agent, Ct);

        Assert.True(first.Succeeded && second.Succeeded && rest.Succeeded);
        Assert.False(tooMuch.Succeeded);
        Assert.Contains("more than can still be refunded", tooMuch.Message, StringComparison.Ordinal);
        Assert.Equal(14400, await CountAsync("SELECT sum(refund_amount_cents) FROM public.order_refunds WHERE order_id = @id AND refund_status = 'PENDING'", s.Order));
        Assert.Equal(14400, await CountAsync("SELECT (sum(amount) * 100)::bigint FROM public.payment_refunds WHERE transaction_id = @id AND status = 'pending'", s.Transaction));
        // Each refund's remaining balance is what was paid minus every refund up to and including it.
        Assert.Equal(0, await CountAsync("""
            SELECT count(*) FROM public.order_refunds r WHERE r.order_id = @id AND r.remaining_balance_cents <>
              14400 - (SELECT sum(x.refund_amount_cents) FROM public.order_refunds x WHERE x.order_id = r.order_id AND x.created_at <= r.created_at)
            """, s.Order));
        Assert.Equal(7400, await CountAsync("SELECT refund_amount_cents FROM public.order_refunds WHERE id = @id", rest.RecordId!.Value));
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'refund.requested' AND payload->>'order_id' = @id::text", s.Order));
        Assert.Equal(3, await AuditRowsAsync(s.Order, OrderActions.RefundRequestAction));
    }

    [Fact]
    public async Task An_item_refund_takes_the_items_share_and_the_item_cannot_be_refunded_twice()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-item");
        var actions = new SupportServices(Database, Maker).Actions();

        var item = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Item, Items: [new ItemSelection(s.ItemB, 1)]), SupportOrderRows.Agent, Ct);
        var again = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Item, Items: [new ItemSelection(s.ItemB, 1)]), SupportOrderRows.Agent, Ct);

        Assert.True(item.Succeeded, item.Message);
        Assert.Equal(3599, await CountAsync("SELECT refund_amount_cents FROM public.order_refunds WHERE id = @id", item.RecordId!.Value));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE id = @id AND refund_type = 'ITEM' AND refunded_items @> '[{\"quantity\": 1}]'", item.RecordId.Value));
        Assert.False(again.Succeeded);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id", s.Order));
    }

    [Fact]
    public async Task A_refund_above_the_threshold_waits_and_only_a_second_person_can_approve_it()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-maker-checker");
        var services = new SupportServices(Database, Maker, approvalThresholdCents: 5000);
        var outbox = "SELECT count(*) FROM public.outbox WHERE event_type = 'refund.requested' AND payload->>'order_id' = @id::text";

        var requested = await services.Actions(Maker).RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 9000), SupportOrderRows.Agent, Ct);
        Assert.True(requested.Succeeded && requested.AwaitingApproval, requested.Message);
        Assert.Equal(0, await CountAsync(outbox, s.Order));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.payment_refunds WHERE transaction_id = @id", s.Transaction));
        var pending = await OrderActions.PendingApprovalsAsync(services.Access(Checker), SupportOrderRows.Agent, Ct);
        Assert.Contains(pending, p => p.RefundId == requested.RecordId && p.AmountCents == 9000 && p.RequestedBy == Maker.UserId);

        // The amount is held back while it waits: no second refund can take it.
        var meanwhile = await services.Actions(Maker).RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 5401), SupportOrderRows.Agent, Ct);
        Assert.False(meanwhile.Succeeded);

        var self = await services.Actions(Maker).DecideRefundAsync(s.Tenant, requested.RecordId!.Value, true, "looks fine", SupportOrderRows.Agent, Ct);
        Assert.False(self.Succeeded);
        Assert.Contains("another person", self.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(outbox, s.Order));

        var approved = await services.Actions(Checker).DecideRefundAsync(s.Tenant, requested.RecordId.Value, true, "checked the receipt", SupportOrderRows.User(PortalRoles.FinanceAnalyst), Ct);
        var twice = await services.Actions(Checker).DecideRefundAsync(s.Tenant, requested.RecordId.Value, true, "checked the receipt", SupportOrderRows.User(PortalRoles.FinanceAnalyst), Ct);

        Assert.True(approved.Succeeded, approved.Message);
        Assert.True(twice.Repeated);
        Assert.Equal(1, await CountAsync(outbox, s.Order));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.payment_refunds WHERE transaction_id = @id AND amount = 90.00 AND status = 'pending'", s.Transaction));
        Assert.Equal("PENDING", await SupportOrderRows.ScalarAsync<string>(Database, "SELECT refund_status FROM public.order_refunds WHERE id = @id", ("id", requested.RecordId.Value)));
        Assert.Equal(1, await SupportOrderRows.CountAsync(Database, "SELECT count(*) FROM portal.audit_log WHERE action = @a AND record_key = @k",
            ("a", OrderActions.RefundApproveAction), ("k", requested.RecordId.Value.ToString())));
    }

    [Fact]
    public async Task A_small_refund_outside_the_policy_window_waits_for_approval_too()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-exception", eventStart: DateTimeOffset.UtcNow.AddHours(12));
        await SupportOrderRows.CountAsync(Database,
            "WITH p AS (INSERT INTO public.refund_policies (tenant_id, policy_name, refund_window_hours, is_default) VALUES (@id, 'Two days', 48, true) RETURNING 1) SELECT count(*) FROM p",
            ("id", s.Tenant));
        var actions = new SupportServices(Database, Maker).Actions();

        var outcome = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 500), SupportOrderRows.Agent, Ct);

        Assert.True(outcome.Succeeded && outcome.AwaitingApproval, outcome.Message);
        Assert.Contains("policy exception", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'refund.requested' AND payload->>'order_id' = @id::text", s.Order));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id AND policy_id IS NOT NULL AND refund_status = 'AWAITING_APPROVAL'", s.Order));
    }

    [Fact]
    public async Task A_rejected_refund_writes_no_outbox_event_and_releases_the_amount()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-reject");
        var services = new SupportServices(Database, Maker, approvalThresholdCents: 5000);

        var requested = await services.Actions(Maker).RefundAsync(new RefundRequest(Command(s), RefundKind.Full), SupportOrderRows.Agent, Ct);
        var rejected = await services.Actions(Checker).DecideRefundAsync(s.Tenant, requested.RecordId!.Value, false, "event not cancelled", SupportOrderRows.Agent, Ct);
        var afterwards = await services.Actions(Maker).RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 1000), SupportOrderRows.Agent, Ct);

        Assert.True(requested.AwaitingApproval);
        Assert.True(rejected.Succeeded, rejected.Message);
        Assert.Equal("REJECTED", await SupportOrderRows.ScalarAsync<string>(Database, "SELECT refund_status FROM public.order_refunds WHERE id = @id", ("id", requested.RecordId.Value)));
        Assert.True(afterwards.Succeeded, afterwards.Message);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'refund.requested' AND payload->>'order_id' = @id::text", s.Order));
    }

    [Fact]
    public async Task Cancelling_twice_cancels_once()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-cancel");
        var actions = new SupportServices(Database, Maker).Actions();
        var command = Command(s, reason: "DUPLICATE_ORDER");

        var results = await Task.WhenAll(actions.CancelAsync(command, SupportOrderRows.Agent, Ct), actions.CancelAsync(command, SupportOrderRows.Agent, Ct));
        var another = await actions.CancelAsync(Command(s), SupportOrderRows.Agent, Ct);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Message));
        Assert.Single(results, r => r.Repeated);
        Assert.False(another.Succeeded);
        Assert.Equal("CANCELLED", await SupportOrderRows.ScalarAsync<string>(Database, "SELECT status FROM public.orders WHERE id = @id", ("id", s.Order)));
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM public.tickets WHERE payment_id = (SELECT payment_intent_id FROM public.orders WHERE id = @id) AND status = 'cancelled'", s.Order));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'order.cancelled' AND aggregate_id = @id", s.Order));
        Assert.Equal(1, await AuditRowsAsync(s.Order, OrderActions.CancelAction));
    }

    [Fact]
    public async Task Cancelling_with_a_refund_cancels_and_refunds_in_one_transaction_once()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-cancel-refund");
        var actions = new SupportServices(Database, Maker).Actions();
        var command = Command(s, reason: "DUPLICATE_ORDER");

        var results = await Task.WhenAll(
            actions.CancelAsync(command, SupportOrderRows.Agent, Ct, refundPaid: true),
            actions.CancelAsync(command, SupportOrderRows.Agent, Ct, refundPaid: true));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Message));
        Assert.Single(results, r => r.Repeated);
        var done = results.Single(r => !r.Repeated);
        Assert.Contains("Refund of $144.00 recorded as pending", done.Message, StringComparison.Ordinal);
        Assert.False(done.AwaitingApproval);
        Assert.Equal("CANCELLED", await SupportOrderRows.ScalarAsync<string>(Database, "SELECT status FROM public.orders WHERE id = @id", ("id", s.Order)));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id AND refund_amount_cents = 14400 AND refund_status = 'PENDING' AND refund_type = 'FULL'", s.Order));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.payment_refunds WHERE transaction_id = @id", s.Transaction));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'refund.requested' AND payload->>'order_id' = @id::text", s.Order));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'order.cancelled' AND aggregate_id = @id", s.Order));
        Assert.Equal(1, await AuditRowsAsync(s.Order, OrderActions.CancelAction));
        Assert.Equal(1, await AuditRowsAsync(s.Order, OrderActions.RefundRequestAction));

        // What is left to refund is nothing: the refund counts like any other.
        var again = await actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Full), SupportOrderRows.Agent, Ct);
        Assert.False(again.Succeeded);
    }

    [Fact]
    public async Task A_cancellation_whose_refund_cannot_be_made_changes_nothing_and_a_large_one_waits_for_approval()
    {
        var locked = await SupportOrderRows.CreateAsync(Database, "act-cancel-locked");
        await SupportOrderRows.ScalarAsync<Guid>(Database, "UPDATE public.orders SET refund_locked = true WHERE id = @id RETURNING id", ("id", locked.Order));
        var actions = new SupportServices(Database, Maker).Actions();

        var refused = await actions.CancelAsync(Command(locked), SupportOrderRows.Agent, Ct, refundPaid: true);

        Assert.False(refused.Succeeded);
        Assert.Contains("Refunds are locked", refused.Message, StringComparison.Ordinal);
        Assert.Contains("The order was not cancelled.", refused.Message, StringComparison.Ordinal);
        Assert.NotEqual("CANCELLED", await SupportOrderRows.ScalarAsync<string>(Database, "SELECT status FROM public.orders WHERE id = @id", ("id", locked.Order)));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id", locked.Order));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.tickets WHERE payment_id = (SELECT payment_intent_id FROM public.orders WHERE id = @id) AND status = 'cancelled'", locked.Order));
        Assert.Equal(0, await AuditRowsAsync(locked.Order, OrderActions.CancelAction) + await AuditRowsAsync(locked.Order, OrderActions.RefundRequestAction));
        Assert.True((await actions.CancelAsync(Command(locked), SupportOrderRows.Agent, Ct)).Succeeded);

        // Above the approval threshold: cancelled now, the refund waits for a second person.
        var large = await SupportOrderRows.CreateAsync(Database, "act-cancel-large");
        var strict = new SupportServices(Database, Maker, approvalThresholdCents: 1_000).Actions();
        var waiting = await strict.CancelAsync(Command(large), SupportOrderRows.Agent, Ct, refundPaid: true);

        Assert.True(waiting.Succeeded, waiting.Message);
        Assert.True(waiting.AwaitingApproval);
        Assert.Equal("CANCELLED", await SupportOrderRows.ScalarAsync<string>(Database, "SELECT status FROM public.orders WHERE id = @id", ("id", large.Order)));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM public.order_refunds WHERE order_id = @id AND refund_status = '{OrderActions.AwaitingApproval}'", large.Order));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.payment_refunds WHERE transaction_id = @id", large.Transaction));
    }

    [Fact]
    public async Task Resending_twice_queues_one_notification()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-resend");
        var actions = new SupportServices(Database, Maker).Actions();
        var command = Command(s, reason: "TICKETS_NOT_RECEIVED");

        var first = await actions.ResendAsync(command, ResendKind.Tickets, SupportOrderRows.Agent, Ct);
        var second = await actions.ResendAsync(command, ResendKind.Tickets, SupportOrderRows.Agent, Ct);

        Assert.True(first.Succeeded, first.Message);
        Assert.True(second.Repeated);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.scheduled_notifications WHERE order_id = @id AND status = 'PENDING' AND notification_type = 'ticket_delivery'", s.Order));
        Assert.Equal(s.CustomerEmail, await SupportOrderRows.ScalarAsync<string>(Database, "SELECT recipient FROM public.scheduled_notifications WHERE order_id = @id", ("id", s.Order)));
        Assert.Equal(1, await AuditRowsAsync(s.Order, OrderActions.ResendAction));
    }

    [Fact]
    public async Task A_note_submitted_twice_is_added_once_and_an_empty_note_is_refused()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-note");
        var actions = new SupportServices(Database, Maker).Actions();
        var command = Command(s, reason: "OTHER");

        var first = await actions.AddNoteAsync(command, "CUSTOMER_INQUIRY", "Customer called about parking.", SupportOrderRows.Agent, Ct);
        var second = await actions.AddNoteAsync(command, "CUSTOMER_INQUIRY", "Customer called about parking.", SupportOrderRows.Agent, Ct);
        var empty = await actions.AddNoteAsync(Command(s, reason: "OTHER"), "CUSTOMER_INQUIRY", "   ", SupportOrderRows.Agent, Ct);

        Assert.True(first.Succeeded && second.Repeated);
        Assert.False(empty.Succeeded);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_notes WHERE order_id = @id", s.Order));
        Assert.Equal(Maker.UserId, await SupportOrderRows.ScalarAsync<Guid>(Database, "SELECT admin_user_id FROM public.order_notes WHERE order_id = @id", ("id", s.Order)));
        Assert.Equal(1, await AuditRowsAsync(s.Order, OrderActions.NoteAction));
    }

    [Fact]
    public async Task Reissuing_a_qr_code_twice_changes_it_once_and_the_old_code_no_longer_exists()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-qr");
        var actions = new SupportServices(Database, Maker).Actions();
        var ticket = s.Tickets[2];
        var old = await SupportOrderRows.ScalarAsync<string>(Database, "SELECT qr_code FROM public.tickets WHERE id = @id", ("id", ticket));
        var command = Command(s, reason: "SERVICE_ISSUE");

        var results = await Task.WhenAll(actions.ReissueQrAsync(command, ticket, SupportOrderRows.Agent, Ct), actions.ReissueQrAsync(command, ticket, SupportOrderRows.Agent, Ct));
        var current = await SupportOrderRows.ScalarAsync<string>(Database, "SELECT qr_code FROM public.tickets WHERE id = @id", ("id", ticket));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Message));
        Assert.Single(results, r => r.Repeated);
        Assert.NotEqual(old, current);
        Assert.Equal(0, await SupportOrderRows.CountAsync(Database, "SELECT count(*) FROM public.tickets WHERE qr_code = @q", ("q", old!)));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.outbox WHERE event_type = 'ticket.qr_reissued' AND aggregate_id = @id", ticket));
        Assert.Equal(1, await AuditRowsAsync(s.Order, OrderActions.ReissueQrAction));
        Assert.DoesNotContain(old!, await SupportOrderRows.ScalarAsync<string>(Database, "SELECT string_agg(coalesce(after::text, '') || coalesce(before::text, ''), ' ') FROM portal.audit_log") ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ticket_of_another_order_cannot_be_reissued_from_this_one()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-qr-other");
        var other = await SupportOrderRows.CreateAsync(Database, "act-qr-other2");
        var actions = new SupportServices(Database, Maker).Actions();

        var result = await actions.ReissueQrAsync(Command(s), other.Tickets[0], SupportOrderRows.Agent, Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(0, await AuditRowsAsync(s.Order, OrderActions.ReissueQrAction));
    }

    [Fact]
    public async Task An_action_naming_the_wrong_tenant_finds_no_order_and_changes_nothing()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-tenant");
        var other = await SupportOrderRows.CreateAsync(Database, "act-tenant2");
        var actions = new SupportServices(Database, Maker).Actions();

        var result = await actions.RefundAsync(new RefundRequest(new OrderCommand(s.Order, other.Tenant, Guid.NewGuid(), "CUSTOMER_REQUEST"), RefundKind.Full), SupportOrderRows.Agent, Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id", s.Order));
    }

    [Theory]
    [InlineData(PortalRoles.VenueManager)]
    [InlineData(PortalRoles.FinanceAnalyst)]
    [InlineData(PortalRoles.ComplianceOfficer)]
    public async Task Only_support_agents_and_administrators_act(string role)
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-deny-" + role.ToLowerInvariant());
        var actions = new SupportServices(Database, Maker).Actions();
        var user = SupportOrderRows.User(role);

        await Assert.ThrowsAsync<SupportAccessDeniedException>(() => actions.RefundAsync(new RefundRequest(Command(s), RefundKind.Full), user, Ct));
        await Assert.ThrowsAsync<SupportAccessDeniedException>(() => actions.CancelAsync(Command(s), user, Ct));
        await Assert.ThrowsAsync<SupportAccessDeniedException>(() => actions.AddNoteAsync(Command(s), "GENERAL", "x", user, Ct));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id", s.Order));
    }

    [Fact]
    public async Task A_venue_manager_cannot_approve_a_refund()
    {
        var s = await SupportOrderRows.CreateAsync(Database, "act-deny-approve");
        var services = new SupportServices(Database, Maker, approvalThresholdCents: 100);
        var requested = await services.Actions(Maker).RefundAsync(new RefundRequest(Command(s), RefundKind.Partial, 500), SupportOrderRows.Agent, Ct);

        await Assert.ThrowsAsync<SupportAccessDeniedException>(() => services.Actions(Checker)
            .DecideRefundAsync(s.Tenant, requested.RecordId!.Value, true, "ok", SupportOrderRows.User(PortalRoles.VenueManager), Ct));
        Assert.Equal(OrderActions.AwaitingApproval, await SupportOrderRows.ScalarAsync<string>(Database, "SELECT refund_status FROM public.order_refunds WHERE id = @id", ("id", requested.RecordId!.Value)));
    }
}
