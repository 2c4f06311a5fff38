using System.Text.Json;

namespace TicketToken.Portal.Support;

#pragma warning disable CA1056, CA1819 // plain data read from JSON

public sealed record StoryOrder(
    Guid Id, Guid TenantId, Guid UserId, Guid EventId, string OrderNumber, string Status, string? PaymentStatus,
    long SubtotalCents, long PlatformFeeCents, long ProcessingFeeCents, long TaxCents, long DiscountCents, long TotalCents,
    string Currency, string? PaymentIntentId, int TicketQuantity, DateTimeOffset? CreatedAt, DateTimeOffset? ConfirmedAt,
    DateTimeOffset? CancelledAt, DateTimeOffset? RefundedAt, bool? HasDispute, string? DisputeStatus, bool? RefundLocked);

public sealed record StoryEvent(Guid Id, string Name, DateTimeOffset? StartDate, string? EventType, string? Status, Guid VenueId);

public sealed record StoryVenue(Guid Id, string Name, string? City);

public sealed record StoryTenant(Guid Id, string Name, string Slug);

public sealed record StoryItem(Guid Id, Guid TicketTypeId, string? TicketType, int Quantity, long UnitPriceCents, long TotalPriceCents, DateTimeOffset? CreatedAt);

public sealed record StoryDiscount(Guid Id, string DiscountCode, string DiscountType, int AmountCents, DateTimeOffset AppliedAt);

public sealed record StoryOrderEvent(Guid Id, string EventType, Guid? UserId, DateTimeOffset CreatedAt, JsonElement? Metadata);

public sealed record StoryNote(Guid Id, string NoteType, string Content, Guid AdminUserId, bool? IsFlagged, DateTimeOffset CreatedAt);

public sealed record StoryRefund(
    Guid Id, long RefundAmountCents, string RefundReason, string RefundStatus, string RefundType, JsonElement? RefundedItems,
    int? RemainingBalanceCents, Guid? InitiatedBy, JsonElement? Metadata, string? ReasonNotes, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt);

public sealed record StoryPaymentRefund(Guid Id, decimal Amount, string? Reason, string? Status, DateTimeOffset? CreatedAt, DateTimeOffset? CompletedAt);

public sealed record StoryChargeback(Guid Id, int AmountCents, string? Reason, string Status, DateTimeOffset DisputedAt, DateTimeOffset? ResolvedAt, string? Outcome);

public sealed record StoryPayment(
    Guid Id, string Type, decimal Amount, string? Currency, string Status, string? StripePaymentIntentId, string? StripeChargeId,
    string? CardBrand, DateTimeOffset? CreatedAt, IReadOnlyList<StoryPaymentRefund> Refunds, IReadOnlyList<StoryChargeback> Chargebacks);

public sealed record StoryAttempt(Guid Id, int AttemptNumber, string Status, string? FailureCode, string? FailureMessage, string? PaymentMethodType, DateTimeOffset? AttemptedAt);

public sealed record StoryIntent(Guid Id, string? Status, decimal Amount, string? Processor, DateTimeOffset? CreatedAt, IReadOnlyList<StoryAttempt> Attempts);

public sealed record StoryScheduledNotification(
    Guid Id, string NotificationType, string Channel, string Status, DateTimeOffset ScheduledFor, DateTimeOffset? SentAt, string? Recipient, DateTimeOffset? CreatedAt);

public sealed record StoryNotification(
    Guid Id, string Channel, string? TemplateName, string? Subject, string Status, string? DeliveryStatus, DateTimeOffset? DeliveredAt,
    string? FailedReason, DateTimeOffset? CreatedAt);

public sealed record StoryTransfer(
    Guid Id, Guid? FromUserId, Guid? ToUserId, string ToEmail, string TransferMethod, string? Status, DateTimeOffset CreatedAt,
    DateTimeOffset? AcceptedAt, DateTimeOffset? TransferredAt, DateTimeOffset? CancelledAt);

public sealed record StorySale(Guid Id, Guid BuyerId, int UsdValue, string Status, DateTimeOffset? InitiatedAt, DateTimeOffset? CompletedAt);

public sealed record StoryListing(
    Guid Id, Guid SellerId, int Price, string Status, DateTimeOffset? ListedAt, DateTimeOffset? SoldAt, DateTimeOffset? CancelledAt, IReadOnlyList<StorySale> Sales);

public sealed record StoryMint(Guid Id, string Status, string? MintAddress, string? OwnerAddress, string Blockchain, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

public sealed record StoryScan(Guid Id, string Source, string Result, string? Reason, string? Location, DateTimeOffset ScannedAt);

public sealed record StoryTicketNotification(Guid Id, string Type, string? Status, DateTimeOffset? SentAt, DateTimeOffset CreatedAt);

public sealed record StoryTicket(
    Guid Id, string TicketNumber, string QrCode, string? Status, Guid? UserId, Guid? OriginalPurchaserId, string? Section, string? Row,
    string? Seat, bool? IsNft, string? TokenMint, string? TicketType, DateTimeOffset CreatedAt, DateTimeOffset? CheckedInAt,
    IReadOnlyList<StoryTransfer> Transfers, IReadOnlyList<StoryListing> Listings, IReadOnlyList<StoryMint> Mints,
    IReadOnlyList<StoryScan> Scans, IReadOnlyList<StoryTicketNotification> Notifications)
{
    /// <summary>The QR value shortened for display: enough to tell two apart, not enough to forge one.</summary>
    public string QrHint => QrCode.Length <= 6 ? "…" : "…" + QrCode[^6..];
}

public sealed record StoryPolicy(Guid Id, string PolicyName, int RefundWindowHours, IReadOnlyList<StoryPolicyRule> Rules);

public sealed record StoryPolicyRule(string RuleType, string? ConditionType, int? ConditionValue, int? RefundPercentage, JsonElement? RuleConfig, int? Priority);

public sealed record StoryReason(Guid Id, string ReasonCode, string ReasonText);

public sealed record StoryPerson(Guid Id, string Email, string? FirstName, string? LastName, string? DisplayName, string? Phone, string Status)
{
    public string Name =>
        DisplayName is { Length: > 0 } d ? d
        : $"{FirstName} {LastName}".Trim() is { Length: > 0 } n ? n
        : Email;
}

/// <summary>The raw document the story query returns (one row, one JSON value).</summary>
public sealed record StoryDocument(
    StoryOrder? Order, StoryEvent? Event, StoryVenue? Venue, StoryTenant? Tenant, IReadOnlyList<StoryItem> Items,
    IReadOnlyList<StoryDiscount> Discounts, IReadOnlyList<StoryOrderEvent> Events, IReadOnlyList<StoryNote> Notes,
    IReadOnlyList<StoryRefund> Refunds, IReadOnlyList<StoryPayment> Payments, IReadOnlyList<StoryIntent> Intents,
    IReadOnlyList<StoryScheduledNotification> Scheduled, IReadOnlyList<StoryNotification> Notifications,
    IReadOnlyList<StoryTicket> Tickets, StoryPolicy? Policy, IReadOnlyList<StoryReason> Reasons);

public enum TimelineKind
{
    Order,
    Payment,
    Refund,
    Chargeback,
    Ticket,
    Transfer,
    Resale,
    Nft,
    Scan,
    Notification,
    Note,
}

/// <summary>One thing that happened to the order, on the page's timeline.</summary>
public sealed record TimelineEntry(DateTimeOffset At, TimelineKind Kind, string Title, string? Detail = null, string? Status = null);

/// <summary>A ticket with the person or wallet that holds it now.</summary>
public sealed record TicketHolding(StoryTicket Ticket, string Holder, string HeldBy);

/// <summary>Everything the order page shows: the order's story, its money and what the refund policy allows.</summary>
public sealed record OrderStoryView(
    StoryDocument Document, StoryOrder Order, StoryPerson? Customer, IReadOnlyDictionary<Guid, StoryPerson> People,
    IReadOnlyList<TicketHolding> Tickets, IReadOnlyList<TimelineEntry> Timeline, OrderMoney Money, RefundAllowance Allowance,
    long AvailableCents)
{
    public Guid TenantId => Order.TenantId;
}
