using System.Security.Claims;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Explorer;

/// <summary>
/// Produces one export: re-runs the grid's filtered query under the requester's permissions as they are now (their current
/// roles and venues, so a revoked role exports nothing), streams the rows in keyset batches into a temporary file, then
/// stores the file in 1 MiB chunks in <c>portal.explorer_export_chunks</c>. Sensitive columns are left out entirely.
/// Runs on the portal's own queue (<see cref="Queue"/>): it needs the explorer's catalog, which separate workers lack.
/// </summary>
public sealed partial class ExplorerExportJob(
    IDbContextFactory<PlatformDbContext> platform,
    IDbContextFactory<PortalDbContext> portal,
    ExplorerCatalog catalog,
    ExplorerRlsFacts rls,
    IOptions<DataAccessOptions> dataOptions,
    TimeProvider clock,
    ILogger<ExplorerExportJob> logger)
{
    public const string Queue = "portal-exports";
    public const int BatchSize = 2_000;
    public const int ChunkSize = 1024 * 1024;

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid exportId, CancellationToken cancellationToken)
    {
        ExplorerExport? export;
        await using (var db = await portal.CreateDbContextAsync(cancellationToken))
        {
            export = await db.Exports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        }

        if (export is not { Status: ExplorerExportStatus.Queued or ExplorerExportStatus.Running })
        {
            return;
        }

        try
        {
            await ProduceAsync(export, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await FailAsync(exportId, "The export was stopped before it finished. Start it again.");
            throw;
        }
        catch (ExplorerAccessDeniedException ex)
        {
            await FailAsync(exportId, ex.Message);
        }
        catch (ExplorerUnavailableException ex)
        {
            await FailAsync(exportId, ex.Message);
        }
#pragma warning disable CA1031 // A failed export is recorded for the user (without internals) and logged; the job itself must not retry.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, ex, exportId);
            await FailAsync(exportId, "The export failed. Nothing was changed; try again, or narrow the filter.");
        }
    }

    private async Task ProduceAsync(ExplorerExport export, CancellationToken ct)
    {
        var table = catalog.Find(export.Service, export.TableName)
            ?? throw new ExplorerAccessDeniedException($"There is no table '{export.TableName}' in service '{export.Service}'.");
        var user = await PrincipalAsync(export.RequestedBy, ct);
        if (ExplorerAccess.ScopeFor(user, table) == ExplorerScope.None)
        {
            throw new ExplorerAccessDeniedException($"Your roles don't include reading {table.Service}/{table.Name}.");
        }

        var state = GridState.Parse(export.Query);
        var columns = Columns(table, state);
        var actor = new PortalActorInfo(export.RequestedBy, export.RequestedByName);
        var data = new ExplorerData(platform, portal, new CrossTenantAccess(platform, portal, new FixedPortalActor(actor), dataOptions, clock), rls);

        await UpdateAsync(export.Id, s => s.SetProperty(e => e.Status, ExplorerExportStatus.Running), ct);
        var temp = Path.Combine(Path.GetTempPath(), $"tt-export-{export.Id:N}.{export.Format}");
        await using var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        long rows;
        await using (var writer = await ExportFormats.CreateAsync(export.Format, file, ct))
        {
            await writer.WriteHeaderAsync([.. columns.Select(c => c.Name)], ct);
            var values = new ExportValue[columns.Count];
            rows = await data.StreamFilteredAsync(table, state, user, BatchSize,
                (total, c) => UpdateAsync(export.Id, s => s.SetProperty(e => e.EstimatedTotal, Math.Min(total, ExplorerData.CountLimit)), c),
                async (batch, c) =>
                {
                    foreach (var row in batch)
                    {
                        for (var i = 0; i < columns.Count; i++)
                        {
                            var cell = row.Cells[columns[i].Name];
                            values[i] = cell.Masked ? new ExportValue(null, columns[i].Kind) : new ExportValue(cell.Text, columns[i].Kind, cell.Time);
                        }

                        await writer.WriteRowAsync(values, c);
                    }

                    var count = batch.Count;
                    await UpdateAsync(export.Id, s => s.SetProperty(e => e.RowsDone, e => e.RowsDone + count), c);
                },
                ct);
            await writer.FinishAsync(ct);
        }

        await file.FlushAsync(ct);
        var size = file.Length;
        file.Position = 0;
        await using (var db = await portal.CreateDbContextAsync(ct))
        {
            await db.ExportChunks.Where(c => c.ExportId == export.Id).ExecuteDeleteAsync(ct);
            var buffer = new byte[ChunkSize];
            var sequence = 0;
            int read;
            while ((read = await file.ReadAtLeastAsync(buffer, ChunkSize, throwOnEndOfStream: false, ct)) > 0)
            {
                db.ExportChunks.Add(new ExplorerExportChunk { ExportId = export.Id, Sequence = sequence++, Data = buffer[..read] });
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
        }

        var fileName = $"{table.Service}-{table.Name}-{clock.GetUtcNow():yyyyMMdd-HHmmss}.{export.Format}";
        await UpdateAsync(export.Id, s => s
            .SetProperty(e => e.Status, ExplorerExportStatus.Completed)
            .SetProperty(e => e.RowsDone, rows)
            .SetProperty(e => e.SizeBytes, size)
            .SetProperty(e => e.FileName, fileName)
            .SetProperty(e => e.CompletedAt, clock.GetUtcNow()), ct);
        LogCompleted(logger, export.Id, table.Service, table.Name, rows, size);
    }

    /// <summary>The columns exported: the view's chosen columns (and the key) or all of them; never a sensitive one.</summary>
    public static IReadOnlyList<ExplorerColumn> Columns(ExplorerTable table, GridState state)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(state);
        var chosen = state.Columns is { Count: > 0 } names
            ? table.Columns.Where(c => names.Contains(c.Name) || c.IsKey)
            : table.Columns;
        return [.. chosen.Where(c => !c.IsSensitive && c.Kind != ColumnKind.SearchVector)];
    }

    /// <summary>The requester as they are now: their current roles, not the ones they had when they asked.</summary>
    private async Task<ClaimsPrincipal> PrincipalAsync(Guid userId, CancellationToken ct)
    {
        await using var db = await portal.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw new ExplorerAccessDeniedException("The account that asked for this export no longer exists.");
        if (user.LockoutEnd is { } end && end > clock.GetUtcNow())
        {
            throw new ExplorerAccessDeniedException("The account that asked for this export is locked.");
        }

        var roles = await db.UserRoles.Where(r => r.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .ToListAsync(ct);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, userId.ToString()), new(ClaimTypes.Name, user.UserName ?? userId.ToString()) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "ExplorerExportJob"));
    }

    private async Task UpdateAsync(
        Guid id, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<ExplorerExport>> set, CancellationToken ct)
    {
        await using var db = await portal.CreateDbContextAsync(ct);
        await db.Exports.Where(e => e.Id == id).ExecuteUpdateAsync(set, ct);
    }

    private async Task FailAsync(Guid id, string message)
    {
        await using var db = await portal.CreateDbContextAsync(CancellationToken.None);
        await db.ExportChunks.Where(c => c.ExportId == id).ExecuteDeleteAsync(CancellationToken.None);
        await db.Exports.Where(e => e.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Status, ExplorerExportStatus.Failed)
            .SetProperty(e => e.Error, message)
            .SetProperty(e => e.CompletedAt, clock.GetUtcNow()), CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Explorer export {ExportId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid exportId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Explorer export {ExportId} of {Service}/{Table}: {Rows} rows, {Bytes} bytes")]
    private static partial void LogCompleted(ILogger logger, Guid exportId, string service, string table, long rows, long bytes);
}

/// <summary>Hourly: deletes exports whose retention has passed (their file chunks go with them).</summary>
public sealed partial class ExplorerExportCleanupJob(IDbContextFactory<PortalDbContext> portal, TimeProvider clock, ILogger<ExplorerExportCleanupJob> logger)
{
    public const string RecurringJobId = "explorer.cleanup-expired-exports";

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await portal.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Exports.Where(e => e.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        LogDeleted(logger, deleted);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired explorer exports")]
    private static partial void LogDeleted(ILogger logger, int count);
}
