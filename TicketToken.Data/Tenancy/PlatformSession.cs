using System.Data;
using Microsoft.EntityFrameworkCore;

namespace TicketToken.Data.Tenancy;

/// <summary>
/// Runs work on the platform's tables inside one transaction whose row-level-security settings are set with
/// <c>set_config(..., true)</c>: they end with the transaction, so nothing leaks to the next user of a pooled connection.
/// </summary>
public static class PlatformSession
{
    /// <summary>Work inside one tenant: RLS shows and accepts only that tenant's rows.</summary>
    public static Task<T> InTenantAsync<T>(
        this IDbContextFactory<PlatformDbContext> factory,
        Guid tenantId,
        Func<PlatformDbContext, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken = default)
    {
        if (tenantId == Guid.Empty)
        {
            throw new ArgumentException("A tenant id is required.", nameof(tenantId));
        }

        return RunAsync(factory, new SessionSettings(tenantId, SystemUser: false), work, cancellationToken);
    }

    /// <summary>
    /// Platform staff work across tenants through the platform's own <c>app.is_system_user</c>. The auth tables ignore it
    /// (their policies check the tenant only): read those through the staff read-only connection instead.
    /// Internal: the portal goes through <see cref="CrossTenantAccess"/>, which records every such read.
    /// </summary>
    internal static Task<T> AcrossTenantsAsync<T>(
        this IDbContextFactory<PlatformDbContext> factory,
        Func<PlatformDbContext, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken = default)
        => RunAsync(factory, new SessionSettings(null, SystemUser: true), work, cancellationToken);

    private static async Task<T> RunAsync<T>(
        IDbContextFactory<PlatformDbContext> factory,
        SessionSettings settings,
        Func<PlatformDbContext, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(work);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await ApplyAsync(db, settings, cancellationToken);
        var result = await work(db, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    internal static Task ApplyAsync(DbContext db, SessionSettings settings, CancellationToken cancellationToken)
    {
        // No tenant is the nil uuid, never an empty string: the platform's auth-table policies cast the setting to uuid
        // without NULLIF, and '' would raise an error where the nil uuid simply matches no row.
        var tenant = (settings.TenantId ?? Guid.Empty).ToString();
        var system = settings.SystemUser ? "true" : "false";
        return db.Database.ExecuteSqlInterpolatedAsync(
            $"SELECT set_config('app.current_tenant_id', {tenant}, true), set_config('app.is_system_user', {system}, true)",
            cancellationToken);
    }

    internal readonly record struct SessionSettings(Guid? TenantId, bool SystemUser);
}
