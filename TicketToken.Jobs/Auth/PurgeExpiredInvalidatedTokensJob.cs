using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.Data;
using TicketToken.Data.Tenancy;

namespace TicketToken.Jobs.Auth;

/// <summary>
/// Nightly: deletes rows of <c>invalidated_tokens</c> whose <c>expires_at</c> has passed (an expired token is refused anyway,
/// so its deny-list entry is dead weight). The table's policy checks the tenant only, so the job walks the tenants
/// and deletes inside each tenant's own context; it never needs a role that bypasses row-level security.
/// </summary>
public sealed partial class PurgeExpiredInvalidatedTokensJob(
    IDbContextFactory<PlatformDbContext> contexts,
    TimeProvider clock,
    ILogger<PurgeExpiredInvalidatedTokensJob> logger)
{
    public const string RecurringJobId = "auth.purge-expired-invalidated-tokens";

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<Guid> tenants;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // tenants has no row-level security.
            tenants = await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM public.tenants ORDER BY id")
                .ToListAsync(cancellationToken);
        }

        var total = 0;
        foreach (var tenantId in tenants)
        {
            total += await contexts.InTenantAsync(
                tenantId,
                (db, ct) => db.Database.ExecuteSqlInterpolatedAsync(
                    $"DELETE FROM public.invalidated_tokens WHERE expires_at < {now}", ct),
                cancellationToken);
        }

        LogPurged(logger, total, tenants.Count);
        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired invalidated tokens across {Tenants} tenants")]
    private static partial void LogPurged(ILogger logger, int count, int tenants);
}
