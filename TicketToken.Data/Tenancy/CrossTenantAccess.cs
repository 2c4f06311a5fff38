using System.Collections.Concurrent;
using System.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Microsoft.Extensions.Options;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;

namespace TicketToken.Data.Tenancy;

/// <summary>Who is acting: the signed-in portal user, or a system process.</summary>
public interface IPortalActor
{
    ValueTask<PortalActorInfo> GetAsync();
}

public sealed record PortalActorInfo(Guid? UserId, string Name, string? IpAddress = null)
{
    public static readonly PortalActorInfo System = new(null, "system");
}

public sealed class DataAccessOptions
{
    /// <summary>The read-only connection whose role may bypass row-level security, for staff reads of the auth tables
    /// across tenants (<c>ConnectionStrings:TicketTokenStaffRead</c>). Not set: such reads are refused.</summary>
    public string? StaffReadConnectionString { get; set; }
}

/// <summary>
/// Platform staff reading across tenants. Every read is recorded in the portal audit log (who, why) before it runs.
/// Two paths: <see cref="AcrossTenantsAsync{T}"/> through the platform's own <c>app.is_system_user</c>, which opens every
/// RLS table except the auth tables; <see cref="StaffReadAsync{T}"/> through a separate read-only connection whose role
/// may bypass RLS, for the auth tables (users, sessions, audit logs, ...), inside a READ ONLY transaction.
/// </summary>
public sealed class CrossTenantAccess(
    IDbContextFactory<PlatformDbContext> platform,
    IDbContextFactory<PortalDbContext> portal,
    IPortalActor actor,
    IOptions<DataAccessOptions> options,
    TimeProvider clock,
    ReadAuditQueue? readAudit = null)
{
    public const string AuditAction = "data.cross_tenant_read";
    public const string StaffReadAuditAction = "data.staff_read";

    public async Task<T> AcrossTenantsAsync<T>(string purpose, Func<PlatformDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await RecordAsync(AuditAction, purpose, cancellationToken);
        return await platform.AcrossTenantsAsync(work, cancellationToken);
    }

    public bool StaffReadConfigured => !string.IsNullOrWhiteSpace(options.Value.StaffReadConnectionString);

    public async Task<T> StaffReadAsync<T>(string purpose, Func<PlatformDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var connectionString = options.Value.StaffReadConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Reading the auth tables across tenants needs ConnectionStrings:TicketTokenStaffRead (a read-only role that may bypass row-level security).");
        }

        await RecordAsync(StaffReadAuditAction, purpose, cancellationToken);
        var builder = new DbContextOptionsBuilder<PlatformDbContext>();
        DataServiceCollectionExtensions.ConfigurePlatform(builder, connectionString);
        builder.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
        await using var db = new PlatformDbContext(builder.Options);
        await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SET TRANSACTION READ ONLY", cancellationToken);
        var result = await work(db, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// A staff read of one SQL statement (one statement reads one snapshot) on the read-only, RLS-bypassing connection, for
    /// lookups that must be fast (the support search): no EF context and no explicit transaction, so one round trip. The
    /// connection starts with <c>default_transaction_read_only=on</c>, so the statement cannot write. In the portal (a
    /// <see cref="ReadAuditQueue"/> registered) the record is queued before the read and group-committed off its path;
    /// without one it is written concurrently on the portal's own connection, and the result is returned only once it is
    /// recorded (if that fails, the read's result is discarded and the error is thrown).
    /// </summary>
    public async Task<T> StaffQueryAsync<T>(string purpose, Func<NpgsqlConnection, CancellationToken, Task<T>> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connectionString = options.Value.StaffReadConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Reading the auth tables across tenants needs ConnectionStrings:TicketTokenStaffRead (a read-only role that may bypass row-level security).");
        }

        if (string.IsNullOrWhiteSpace(purpose))
        {
            throw new ArgumentException("Say why the data is read across tenants.", nameof(purpose));
        }

        if (readAudit is not null)
        {
            // The portal's path: the record is queued before the read runs and written by the group-committing writer.
            await readAudit.EnqueueAsync(await EntryAsync(StaffReadAuditAction, purpose), cancellationToken);
            await using var queuedConnection = await ReadOnlySources.GetOrAdd(connectionString, CreateReadOnlySource).OpenConnectionAsync(cancellationToken);
            return await query(queuedConnection, cancellationToken);
        }

        var audit = RecordAsync(StaffReadAuditAction, purpose, cancellationToken);
        T result;
        try
        {
            await using var connection = await ReadOnlySources.GetOrAdd(connectionString, CreateReadOnlySource).OpenConnectionAsync(cancellationToken);
            result = await query(connection, cancellationToken);
        }
        finally
        {
            await audit;
        }

        return result;
    }

    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> ReadOnlySources = new(StringComparer.Ordinal);

    private static NpgsqlDataSource CreateReadOnlySource(string connectionString) => NpgsqlDataSource.Create(ReadOnlyConnectionString(connectionString));

    /// <summary>
    /// The connection string <see cref="StaffQueryAsync{T}"/> uses: read-only from the start, and with automatic preparation,
    /// so a lookup's statement is planned once per connection (planning against the platform's many indexes costs more
    /// than running an index lookup).
    /// </summary>
    public static string ReadOnlyConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options)
            ? "-c default_transaction_read_only=on"
            : builder.Options + " -c default_transaction_read_only=on";
        builder.MaxAutoPrepare = 64;
        builder.AutoPrepareMinUsages = 2;
        return builder.ConnectionString;
    }

    private async Task RecordAsync(string action, string purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(purpose))
        {
            throw new ArgumentException("Say why the data is read across tenants.", nameof(purpose));
        }

        var entry = await EntryAsync(action, purpose);
        await using var db = await portal.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<PortalAuditEntry> EntryAsync(string action, string purpose)
    {
        var who = await actor.GetAsync();
        return new PortalAuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            UserId = who.UserId,
            UserName = who.Name,
            Action = action,
            Reason = purpose,
            IpAddress = who.IpAddress,
        };
    }
}

/// <summary>A known actor: a background job acting for the user who asked for it, or a test.</summary>
public sealed class FixedPortalActor(PortalActorInfo who) : IPortalActor
{
    public ValueTask<PortalActorInfo> GetAsync() => ValueTask.FromResult(who);
}

/// <summary>The actor of background jobs and command-line tools. The portal replaces it with the signed-in user.</summary>
public sealed class SystemPortalActor : IPortalActor
{
    public ValueTask<PortalActorInfo> GetAsync() => ValueTask.FromResult(PortalActorInfo.System);
}
