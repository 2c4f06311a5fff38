using System.Security.Claims;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Explorer;

public sealed class ExplorerExportOptions
{
    public const string Section = "Explorer:Exports";

    /// <summary>How long a finished export stays downloadable before the cleanup job deletes it.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Workers of the portal's own Hangfire server for the export queue (0: this process runs no exports).</summary>
    public int WorkerCount { get; set; } = 1;

    /// <summary>Exports one user may have queued or running at once.</summary>
    public int MaxInFlightPerUser { get; set; } = 3;
}

/// <summary>What the portal shows of an export: progress while it runs, a download when done.</summary>
public sealed record ExportStatusView(
    Guid Id, string Format, ExplorerExportStatus Status, long RowsDone, long? EstimatedTotal, string? Error, DateTimeOffset CreatedAt, string? FileName)
{
    public bool InFlight => Status is ExplorerExportStatus.Queued or ExplorerExportStatus.Running;

    public string DownloadPath => $"/explorer/exports/{Id}/download";
}

public sealed record ExportRequestResult(string? Error, ExportStatusView? Export = null);

/// <summary>
/// Requests, lists and hands out explorer exports. A request is checked against the user's read scope, recorded in the
/// audit log as <c>explorer.export</c> with its filter (in the same transaction as the export row), then queued for
/// <see cref="ExplorerExportJob"/>. Only the requester, and administrators, may download.
/// </summary>
public sealed class ExplorerExports(
    IDbContextFactory<PortalDbContext> portal,
    ExplorerExportQueue queue,
    IOptions<ExplorerExportOptions> options,
    TimeProvider clock)
{
    public const string AuditAction = "explorer.export";

    public async Task<ExportRequestResult> RequestAsync(ExplorerTable table, GridState state, string format, ClaimsPrincipal user, PortalActorInfo actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(actor);
        if (!ExportFormats.All.Contains(format))
        {
            return new ExportRequestResult($"'{format}' is not an export format (csv or xlsx).");
        }

        if (ExplorerAccess.ScopeFor(user, table) == ExplorerScope.None)
        {
            return new ExportRequestResult($"Your roles don't include reading {table.Service}/{table.Name}.");
        }

        var me = ExplorerSavedViews.UserId(user);
        var query = (state with { Page = 1, After = null }).ToQueryString();
        if (query.Length > ExplorerSavedView.QueryMaxLength)
        {
            return new ExportRequestResult("This view's filters are too long to export.");
        }

        var now = clock.GetUtcNow();
        var export = new ExplorerExport
        {
            Id = Guid.CreateVersion7(),
            RequestedBy = me,
            RequestedByName = user.Identity?.Name ?? actor.Name,
            Service = table.Service,
            TableName = table.Name,
            Query = query,
            Format = format,
            Status = ExplorerExportStatus.Queued,
            CreatedAt = now,
            ExpiresAt = now + options.Value.Retention,
        };

        await using (var db = await portal.CreateDbContextAsync(ct))
        {
            var inFlight = await db.Exports.CountAsync(
                e => e.RequestedBy == me && (e.Status == ExplorerExportStatus.Queued || e.Status == ExplorerExportStatus.Running), ct);
            if (inFlight >= options.Value.MaxInFlightPerUser)
            {
                return new ExportRequestResult($"You already have {inFlight} exports running. Wait for one to finish.");
            }

            db.Exports.Add(export);
            db.AuditEntries.Add(new PortalAuditEntry
            {
                OccurredAt = now,
                UserId = actor.UserId ?? me,
                UserName = actor.Name,
                Action = AuditAction,
                TableName = table.Name,
                RecordKey = export.Id.ToString(),
                After = JsonSerializer.SerializeToDocument(new
                {
                    service = table.Service,
                    table = table.Name,
                    format,
                    query,
                    sort = state.Sort,
                    descending = state.Descending,
                    search = state.Search,
                    filters = state.Filters.Select(f => new { column = f.Column, op = f.Op, value = f.Value }),
                }),
                IpAddress = actor.IpAddress,
            });
            await db.SaveChangesAsync(ct);
        }

        var jobId = queue.Client.Create<ExplorerExportJob>(j => j.RunAsync(export.Id, CancellationToken.None), new EnqueuedState(ExplorerExportJob.Queue));
        await using (var db = await portal.CreateDbContextAsync(ct))
        {
            await db.Exports.Where(e => e.Id == export.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.JobId, jobId), ct);
        }

        return new ExportRequestResult(null, View(export));
    }

    /// <summary>The user's recent, unexpired exports of this table, newest first.</summary>
    public async Task<IReadOnlyList<ExportStatusView>> RecentAsync(ExplorerTable table, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        var me = ExplorerSavedViews.UserId(user);
        var now = clock.GetUtcNow();
        await using var db = await portal.CreateDbContextAsync(ct);
        var rows = await db.Exports.AsNoTracking()
            .Where(e => e.RequestedBy == me && e.Service == table.Service && e.TableName == table.Name && e.ExpiresAt > now)
            .OrderByDescending(e => e.CreatedAt)
            .Take(5)
            .ToListAsync(ct);
        return [.. rows.Select(View)];
    }

    /// <summary>A finished, unexpired export the user may download (theirs, or any for an administrator); null otherwise.</summary>
    public async Task<ExplorerExport?> FindDownloadableAsync(Guid id, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var me))
        {
            return null;
        }

        var admin = user.IsInRole(PortalRoles.Administrator);
        var now = clock.GetUtcNow();
        await using var db = await portal.CreateDbContextAsync(ct);
        return await db.Exports.AsNoTracking()
            .Where(e => e.Id == id && (admin || e.RequestedBy == me) && e.Status == ExplorerExportStatus.Completed && e.ExpiresAt > now)
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Copies the export's file to <paramref name="output"/>, one stored chunk at a time.</summary>
    public async Task CopyToAsync(Guid id, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var db = await portal.CreateDbContextAsync(ct);
        var sequences = await db.ExportChunks.Where(c => c.ExportId == id).OrderBy(c => c.Sequence).Select(c => c.Sequence).ToListAsync(ct);
        foreach (var sequence in sequences)
        {
            var data = await db.ExportChunks.Where(c => c.ExportId == id && c.Sequence == sequence).Select(c => c.Data).SingleAsync(ct);
            await output.WriteAsync(data, ct);
        }
    }

    private static ExportStatusView View(ExplorerExport e) =>
        new(e.Id, e.Format, e.Status, e.RowsDone, e.EstimatedTotal, e.Error, e.CreatedAt, e.FileName);
}
