using System.Security.Claims;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Support;

/// <summary>Settings of the support workspace (section <c>Support</c>).</summary>
public sealed class SupportOptions
{
    public const string Section = "Support";

    /// <summary>A refund above this many cents waits for a second person's approval (maker-checker).</summary>
    public long RefundApprovalThresholdCents { get; set; } = 50_000;
}

/// <summary>Who may do what on the support order page; checked on the server by every service method.</summary>
public static class SupportAccess
{
    /// <summary>Read an order's story: support agents, administrators and (read-only) finance analysts.</summary>
    public static bool CanRead(ClaimsPrincipal user) =>
        user is not null && (user.IsInRole(PortalRoles.SupportAgent) || user.IsInRole(PortalRoles.Administrator) || user.IsInRole(PortalRoles.FinanceAnalyst));

    /// <summary>Act on an order (refund, cancel, resend, note, reissue): support agents and administrators.</summary>
    public static bool CanAct(ClaimsPrincipal user) =>
        user is not null && (user.IsInRole(PortalRoles.SupportAgent) || user.IsInRole(PortalRoles.Administrator));

    /// <summary>Approve or reject another person's refund: support agents, administrators and finance analysts.</summary>
    public static bool CanApprove(ClaimsPrincipal user) => CanRead(user);
}

/// <summary>The user may not do this; the message says why, without detail an attacker could use.</summary>
public sealed class SupportAccessDeniedException(string message) : Exception(message);

/// <summary>Reason codes the portal offers for support actions (refunds also accept the tenant's own refund_reasons codes).</summary>
public static class SupportReasonCodes
{
    public static readonly IReadOnlyList<(string Code, string Text)> All =
    [
        ("CUSTOMER_REQUEST", "Customer asked"),
        ("EVENT_CANCELLED", "Event cancelled or changed"),
        ("DUPLICATE_ORDER", "Duplicate order"),
        ("SERVICE_ISSUE", "Problem on our side"),
        ("FRAUD_SUSPECTED", "Fraud suspected"),
        ("TICKETS_NOT_RECEIVED", "Tickets not received"),
        ("GOODWILL", "Goodwill gesture"),
        ("OTHER", "Other (explain in the note)"),
    ];

    public static bool IsKnown(string? code) => All.Any(r => r.Code == code);
}
