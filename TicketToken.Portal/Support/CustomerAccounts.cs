using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Support;

public sealed record CustomerProfile(
    Guid Id,
    Guid TenantId,
    string? TenantName,
    string Email,
    string? FirstName,
    string? LastName,
    string? DisplayName,
    string? Username,
    string? Phone,
    string Status,
    bool IsActive,
    bool EmailVerified,
    bool TwoFactor,
    int FailedLoginAttempts,
    DateTimeOffset? LockedUntil,
    DateTimeOffset? LastLoginAt,
    string? LastLoginDevice,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeletedAt)
{
    public string FullName => string.Join(' ', new[] { FirstName, LastName }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } n ? n : DisplayName ?? Email;

    public bool IsLocked(DateTimeOffset now) => LockedUntil is { } until && until > now;

    /// <summary>Whether unlocking would change anything: a lock (even an expired one) or failed attempts on record.</summary>
    public bool CanUnlock => LockedUntil is not null || FailedLoginAttempts > 0;
}

public sealed record CustomerOrder(Guid Id, string OrderNumber, string Status, long TotalCents, string Currency, string? EventName, DateTimeOffset? CreatedAt);

public sealed record CustomerTicket(Guid Id, string TicketNumber, string? Status, string? EventName, string? Seat, bool IsNft, DateTimeOffset? PurchasedAt, Guid? OrderId);

public sealed record CustomerSession(Guid Id, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, DateTimeOffset? RevokedAt, string? IpAddress, string? UserAgent)
{
    public bool Active => EndedAt is null && RevokedAt is null;
}

public sealed record CustomerDevice(Guid Id, string DeviceFingerprint, int? TrustScore, DateTimeOffset? LastSeen, DateTimeOffset? CreatedAt);

public sealed record CustomerView(
    CustomerProfile Profile,
    IReadOnlyList<CustomerOrder> Orders,
    int OrderCount,
    IReadOnlyList<CustomerTicket> Tickets,
    int TicketCount,
    IReadOnlyList<CustomerSession> Sessions,
    IReadOnlyList<CustomerDevice> Devices);

public enum UnlockOutcome
{
    Unlocked,
    AlreadyUnlocked,
    NotFound,
    Refused,
    Invalid,
}

public sealed record UnlockResult(UnlockOutcome Outcome, string Message);

/// <summary>The customer page's data (one audited staff read) and its one action, unlocking an account.</summary>
public sealed class CustomerAccounts(
    CrossTenantAccess access,
    IDbContextFactory<PlatformDbContext> platform,
    IPortalActor actor,
    TimeProvider clock)
{
    public const int ListLimit = 200;
    public const string UnlockAction = "support.customer.unlock";
    public const int MaxReasonLength = 500;

    public static bool CanView(ClaimsPrincipal user) => SupportSearch.CanSearch(user);

    public async Task<CustomerView?> LoadAsync(ClaimsPrincipal user, Guid customerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!CanView(user))
        {
            throw new UnauthorizedAccessException("The customer page is for support agents and administrators.");
        }

        return await access.StaffReadAsync($"support customer page: {customerId}", async (db, ct) =>
        {
            var profile = await db.Users.Where(u => u.Id == customerId)
                .Select(u => new CustomerProfile(
                    u.Id, u.TenantId, db.Tenants.Where(t => t.Id == u.TenantId).Select(t => t.Name).FirstOrDefault(), u.Email, u.FirstName, u.LastName,
                    u.DisplayName, u.Username, u.Phone, u.Status, u.IsActive ?? true, u.EmailVerified, u.TwoFactorEnabled || u.MfaEnabled,
                    u.FailedLoginAttempts ?? 0, u.LockedUntil, u.LastLoginAt, u.LastLoginDevice, u.CreatedAt, u.DeletedAt))
                .SingleOrDefaultAsync(ct);
            if (profile is null)
            {
                return null;
            }

            var orders = await db.Orders.Where(o => o.UserId == customerId)
                .OrderByDescending(o => o.CreatedAt).ThenBy(o => o.Id)
                .Take(ListLimit)
                .Select(o => new CustomerOrder(o.Id, o.OrderNumber, o.Status, o.TotalCents, o.Currency,
                    db.Events.Where(e => e.Id == o.EventId).Select(e => e.Name).FirstOrDefault(), o.CreatedAt))
                .ToListAsync(ct);
            var orderCount = orders.Count < ListLimit ? orders.Count : await db.Orders.CountAsync(o => o.UserId == customerId, ct);
            var tickets = await db.Tickets.Where(t => t.UserId == customerId)
                .OrderByDescending(t => t.PurchasedAt).ThenBy(t => t.Id)
                .Take(ListLimit)
                .Select(t => new CustomerTicket(t.Id, t.TicketNumber, t.Status,
                    db.Events.Where(e => e.Id == t.EventId).Select(e => e.Name).FirstOrDefault(),
                    t.Section == null ? null : t.Section + " " + t.Row + "-" + t.Seat,
                    t.IsNft ?? false, t.PurchasedAt,
                    t.PaymentId == null ? null : db.Orders.Where(o => o.PaymentIntentId == t.PaymentId).Select(o => (Guid?)o.Id).FirstOrDefault()))
                .ToListAsync(ct);
            var ticketCount = tickets.Count < ListLimit ? tickets.Count : await db.Tickets.CountAsync(t => t.UserId == customerId, ct);
            var sessions = await db.UserSessions.Where(s => s.UserId == customerId)
                .OrderByDescending(s => s.StartedAt).Take(50)
                .Select(s => new CustomerSession(s.Id, s.StartedAt, s.EndedAt, s.RevokedAt, s.IpAddress, s.UserAgent))
                .ToListAsync(ct);
            var devices = await db.TrustedDevices.Where(d => d.UserId == customerId)
                .OrderByDescending(d => d.LastSeen).Take(50)
                .Select(d => new CustomerDevice(d.Id, d.DeviceFingerprint, d.TrustScore, d.LastSeen, d.CreatedAt))
                .ToListAsync(ct);
            return new CustomerView(profile, orders, orderCount, tickets, ticketCount, sessions, devices);
        }, cancellationToken);
    }

    /// <summary>
    /// Clears the lock and the failed-attempt count of a customer's account, in the customer's tenant, with the audit entry in
    /// the same transaction. Idempotent: the row is locked and re-checked, so a second submit (a double click, a retry) finds
    /// nothing to unlock and changes nothing, and writes no second audit entry.
    /// </summary>
    public async Task<UnlockResult> UnlockAsync(ClaimsPrincipal user, Guid tenantId, Guid customerId, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!CanView(user))
        {
            return new UnlockResult(UnlockOutcome.Refused, "Only support agents and administrators can unlock accounts.");
        }

        reason = reason?.Trim() ?? "";
        if (reason.Length < 3)
        {
            return new UnlockResult(UnlockOutcome.Invalid, "Say why the account is unlocked (at least a few words).");
        }

        if (reason.Length > MaxReasonLength)
        {
            return new UnlockResult(UnlockOutcome.Invalid, $"The reason is too long (at most {MaxReasonLength} characters).");
        }

        if (tenantId == Guid.Empty)
        {
            return new UnlockResult(UnlockOutcome.NotFound, "This customer was not found.");
        }

        var who = await actor.GetAsync();
        var now = clock.GetUtcNow();
        return await platform.InTenantAsync(tenantId, async (db, ct) =>
        {
            var before = await db.Database.SqlQuery<LockState>($"""
                WITH before AS (
                    SELECT id, failed_login_attempts, locked_until FROM public.users WHERE id = {customerId} FOR UPDATE
                ), changed AS (
                    UPDATE public.users u SET failed_login_attempts = 0, locked_until = NULL
                    FROM before b
                    WHERE u.id = b.id AND (b.locked_until IS NOT NULL OR coalesce(b.failed_login_attempts, 0) > 0)
                    RETURNING b.failed_login_attempts, b.locked_until
                )
                SELECT failed_login_attempts, locked_until, true AS changed FROM changed
                UNION ALL
                SELECT failed_login_attempts, locked_until, false FROM before WHERE NOT EXISTS (SELECT FROM changed)
                """).ToListAsync(ct);
            if (before.Count == 0)
            {
                return new UnlockResult(UnlockOutcome.NotFound, "This customer was not found.");
            }

            var state = before[0];
            if (!state.Changed)
            {
                return new UnlockResult(UnlockOutcome.AlreadyUnlocked, "The account is not locked: nothing was changed.");
            }

            var beforeJson = JsonSerializer.Serialize(new { failed_login_attempts = state.FailedLoginAttempts, locked_until = state.LockedUntil });
            var afterJson = JsonSerializer.Serialize(new { failed_login_attempts = 0, locked_until = (DateTimeOffset?)null });
            var key = customerId.ToString();
            await db.Database.AppendAsync(who, new PortalAuditRecord(UnlockAction, "users", key, tenantId, beforeJson, afterJson, reason, now), ct);
            return new UnlockResult(UnlockOutcome.Unlocked, "The account is unlocked and its failed sign-in count is reset.");
        }, cancellationToken);
    }

    internal sealed record LockState(int? FailedLoginAttempts, DateTimeOffset? LockedUntil, bool Changed);
}
