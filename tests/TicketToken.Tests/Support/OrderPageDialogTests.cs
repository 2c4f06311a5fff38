using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Components.Pages.Support;
using TicketToken.Portal.Explorer;
using TicketToken.Portal.Support;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Support;

/// <summary>
/// The order page's action dialogs in bUnit over the real services and a real database: a missing reason is refused
/// with a message and changes nothing, a confirmed action changes the rows and the page, and the person who asked for
/// a refund is never offered its approval.
/// </summary>
public sealed class OrderPageDialogTests(OrderPageDialogTests.Db db) : PortalComponentTest, IClassFixture<OrderPageDialogTests.Db>
{
    public sealed class Db : IAsyncLifetime
    {
        public string Name { get; private set; } = "";

        public async ValueTask InitializeAsync() => Name = await TemplateDatabase.CreateDatabaseAsync("tt_dialogs");

        public async ValueTask DisposeAsync() => await TemplateDatabase.DropDatabaseAsync(Name);
    }

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private IRenderedComponent<MudDialogProvider> dialogs = null!;

    private IRenderedComponent<OrderPage> Open(Guid order, PortalActorInfo who, string role, long approvalThresholdCents = 50_000)
    {
        SignIn(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, who.Name), new Claim(ClaimTypes.NameIdentifier, who.UserId!.Value.ToString()), new Claim(ClaimTypes.Role, role)], "Test")));
        var services = new SupportServices(db.Name, who, approvalThresholdCents);
        Services.AddSingleton(services.Story());
        Services.AddSingleton(services.Actions());
        Services.AddScoped<BrowserTimeZone>();
        Services.AddLogging();
        JSInterop.Setup<string>("tt.timeZone").SetResult("UTC");
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Render<MudPopoverProvider>();
        dialogs = Render<MudDialogProvider>();
        var cut = Render<OrderPage>(p => p.Add(c => c.Id, order));
        cut.WaitForElement("[data-test=action-cancel]", Wait);
        return cut;
    }

    private static PortalActorInfo Person(string name) => new(Guid.NewGuid(), name, "127.0.0.1");

    private async Task ChooseReasonAsync(string code)
    {
        var select = dialogs.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Reason code");
        await dialogs.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(code));
    }

    private async Task TypeAsync(string label, string text)
    {
        var field = dialogs.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == label);
        await dialogs.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(text));
    }

    /// <summary>
    /// Clicks the first match once the page has settled: it renders again when the browser's time zone arrives, and a
    /// button found just before that render has a handler that no longer exists. Only that case is retried.
    /// </summary>
    private static async Task ClickSettledAsync(IRenderedComponent<OrderPage> cut, string selector)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            try
            {
                await cut.FindAll(selector)[0].ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
                return;
            }
            catch (Bunit.Rendering.UnknownEventHandlerIdException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, Xunit.TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>A fresh order, its page as a support agent, and the dialog behind <paramref name="button"/> open.</summary>
    private async Task<(SupportOrderScenario Order, IRenderedComponent<OrderPage> Page)> OpenDialogAsync(string slug, string button, string title)
    {
        var s = await SupportOrderRows.CreateAsync(db.Name, slug);
        var cut = Open(s.Order, Person($"{slug}@example.test"), PortalRoles.SupportAgent);
        await ClickSettledAsync(cut, $"[data-test={button}]");
        dialogs.WaitForAssertion(() => Assert.Contains(title, dialogs.Markup, StringComparison.Ordinal));
        return (s, cut);
    }

    private void Confirm() => dialogs.Find("[data-test=dialog-confirm]").Click();

    private Task<long> CountAsync(string sql, Guid id) => SupportOrderRows.CountAsync(db.Name, sql, ("id", id));

    [Fact]
    public async Task Cancelling_without_a_reason_is_refused_and_changes_nothing_then_with_one_cancels_and_is_audited()
    {
        var (s, cut) = await OpenDialogAsync("dlg-cancel", "action-cancel", "Cancel the order");
        Confirm();
        dialogs.WaitForAssertion(() => Assert.Equal("Choose a reason code.", dialogs.Find("[data-test=dialog-error]").TextContent.Trim()));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.orders WHERE id = @id AND status = 'CANCELLED'", s.Order));

        await ChooseReasonAsync("DUPLICATE_ORDER");
        await TypeAsync("Comment (optional, recorded in the audit log)", "Customer bought twice");
        Confirm();

        cut.WaitForAssertion(() => Assert.Contains("cancel", cut.Find("[data-test=action-result]").TextContent, StringComparison.OrdinalIgnoreCase), Wait);
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-test=dialog-confirm]")), Wait); // closed after success
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.orders WHERE id = @id AND status = 'CANCELLED'", s.Order));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id", s.Order)); // the refund box starts unticked
        Assert.Equal(1, await SupportOrderRows.CountAsync(db.Name,
            "SELECT count(*) FROM portal.audit_log WHERE record_key = @k AND action = @a AND reason LIKE '%DUPLICATE_ORDER%'",
            ("k", s.Order.ToString()), ("a", OrderActions.CancelAction)));
    }

    [Fact]
    public async Task Cancelling_with_the_refund_box_ticked_also_requests_the_refund()
    {
        var (s, cut) = await OpenDialogAsync("dlg-cancel-refund", "action-cancel", "Cancel the order");
        var box = dialogs.FindComponents<MudCheckBox<bool>>().Single();
        Assert.Contains("Also refund $144.00", box.Markup, StringComparison.Ordinal);
        await dialogs.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(true));
        await ChooseReasonAsync("DUPLICATE_ORDER");
        Confirm();

        cut.WaitForAssertion(() => Assert.Contains("Refund of $144.00", cut.Find("[data-test=action-result]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.orders WHERE id = @id AND status = 'CANCELLED'", s.Order));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id AND refund_amount_cents = 14400", s.Order));
    }

    [Fact]
    public async Task An_internal_note_needs_its_text_and_then_shows_on_the_page()
    {
        var (s, cut) = await OpenDialogAsync("dlg-note", "action-note", "Add an internal note");
        await ChooseReasonAsync("CUSTOMER_REQUEST");
        Confirm();
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.Find("[data-test=dialog-error]").TextContent.Trim()), Wait);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM public.order_notes WHERE order_id = @id", s.Order));

        await TypeAsync("Note (internal)", "Called the customer back about seat numbers");
        Confirm();

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("[data-test=order-note]"),
            n => n.TextContent.Contains("Called the customer back about seat numbers", StringComparison.Ordinal)), Wait);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_notes WHERE order_id = @id", s.Order));
    }

    [Fact]
    public async Task Reissuing_a_QR_code_replaces_the_code_of_that_ticket_only()
    {
        var (s, cut) = await OpenDialogAsync("dlg-qr", "action-reissue-qr", "Reissue the QR code");
        const string codes = "SELECT string_agg(qr_code, ',' ORDER BY id) FROM public.tickets WHERE id = ANY(@ids)";
        var before = (await SupportOrderRows.ScalarAsync<string>(db.Name, codes, ("ids", s.Tickets.ToArray())))!.Split(',');
        await ChooseReasonAsync("TICKETS_NOT_RECEIVED");
        Confirm();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=action-result]")), Wait);
        var after = (await SupportOrderRows.ScalarAsync<string>(db.Name, codes, ("ids", s.Tickets.ToArray())))!.Split(',');
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second));
    }

    [Fact]
    public async Task Resending_the_confirmation_queues_one_notification()
    {
        var (s, cut) = await OpenDialogAsync("dlg-resend", "action-resend-confirmation", "Resend the confirmation");
        await ChooseReasonAsync("TICKETS_NOT_RECEIVED");
        Confirm();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=action-result]")), Wait);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.scheduled_notifications WHERE order_id = @id", s.Order));
    }

    [Fact]
    public async Task A_double_click_on_confirm_makes_one_refund()
    {
        var (s, cut) = await OpenDialogAsync("dlg-double", "action-refund", "Refund");
        await ChooseReasonAsync("CUSTOMER_REQUEST");
        await TypeAsync("Amount in dollars, e.g. 25.00", "12.50");

        // Two clicks before the first has finished: the second finds the dialog busy (or its button already replaced).
        var button = dialogs.Find("[data-test=dialog-confirm]");
        var first = button.ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        try
        {
            await button.ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        }
        catch (Bunit.Rendering.UnknownEventHandlerIdException)
        {
        }

        await first;
        cut.WaitForAssertion(() => Assert.Contains("$12.50", cut.Find("[data-test=action-result]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM public.order_refunds WHERE order_id = @id", s.Order));
        Assert.Equal(1250, await CountAsync("SELECT coalesce(sum(refund_amount_cents), 0) FROM public.order_refunds WHERE order_id = @id", s.Order));
        Assert.Equal(1, await SupportOrderRows.CountAsync(db.Name,
            "SELECT count(*) FROM portal.audit_log WHERE table_name = 'orders' AND record_key = @k AND action = @a",
            ("k", s.Order.ToString()), ("a", OrderActions.RefundRequestAction)));
    }

    /// <summary>A refund of $50.00 requested by <paramref name="maker"/> with a $10.00 approval threshold: it waits for a second person.</summary>
    private async Task<SupportOrderScenario> LargeRefundAsync(string slug, PortalActorInfo maker)
    {
        var s = await SupportOrderRows.CreateAsync(db.Name, slug, eventStart: DateTimeOffset.UtcNow.AddDays(30));
        var request = await new SupportServices(db.Name, maker, approvalThresholdCents: 1_000).Actions()
            .RefundAsync(new RefundRequest(new OrderCommand(s.Order, s.Tenant, Guid.NewGuid(), "CUSTOMER_REQUEST", null), RefundKind.Partial, 5_000),
                SupportOrderRows.Agent, Xunit.TestContext.Current.CancellationToken);
        Assert.True(request.Succeeded && request.AwaitingApproval, request.Message);
        return s;
    }

    [Fact]
    public async Task The_requester_of_a_large_refund_sees_it_waiting_without_approve_or_reject()
    {
        var maker = Person("maker@example.test");
        var s = await LargeRefundAsync("dlg-maker", maker);

        var cut = Open(s.Order, maker, PortalRoles.SupportAgent, approvalThresholdCents: 1_000);

        cut.WaitForAssertion(() => Assert.Contains("another person must decide", cut.Find("[data-test=awaiting-approval]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(cut.FindAll("[data-test=approve-refund]"));
        Assert.Empty(cut.FindAll("[data-test=reject-refund]"));
    }

    [Fact]
    public async Task Another_agent_approves_a_waiting_refund_and_must_say_why()
    {
        var s = await LargeRefundAsync("dlg-checker", Person("maker2@example.test"));
        var cut = Open(s.Order, Person("checker@example.test"), PortalRoles.SupportAgent, approvalThresholdCents: 1_000);

        cut.WaitForElement("[data-test=approve-refund]", Wait);
        await ClickSettledAsync(cut, "[data-test=approve-refund]");
        dialogs.WaitForAssertion(() => Assert.Contains("Approve the refund", dialogs.Markup, StringComparison.Ordinal));
        Confirm();
        dialogs.WaitForAssertion(() => Assert.Equal("Say why you approve or reject it.", dialogs.Find("[data-test=dialog-error]").TextContent.Trim()));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM public.order_refunds WHERE order_id = @id AND refund_status = '{OrderActions.AwaitingApproval}'", s.Order));
        await TypeAsync("Reason", "Checked the receipt with the customer");
        Confirm();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-test=awaiting-approval]")), Wait);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM public.order_refunds WHERE order_id = @id AND refund_status = '{OrderActions.AwaitingApproval}'", s.Order));
        Assert.Equal(1, await SupportOrderRows.CountAsync(db.Name,
            "SELECT count(*) FROM portal.audit_log WHERE action = @a AND user_name = 'checker@example.test'", ("a", OrderActions.RefundApproveAction)));
    }
}
