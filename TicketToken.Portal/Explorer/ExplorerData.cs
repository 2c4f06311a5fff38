using System.Linq.Expressions;
using System.Reflection;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Explorer;

/// <summary>
/// Loads grid pages and records for the explorer, one context per operation, always inside the access path the user's
/// role allows: staff across tenants (recorded), venue managers inside their tenant and venues.
/// </summary>
public sealed partial class ExplorerData(
    IDbContextFactory<PlatformDbContext> platform,
    IDbContextFactory<PortalDbContext> portal,
    CrossTenantAccess crossTenant,
    ExplorerRlsFacts rls)
{
    /// <summary>Counting stops here: a filtered count of a million rows costs more than it tells.</summary>
    public const int CountLimit = 100_000;

    private static readonly MethodInfo PageMethod = typeof(ExplorerData).GetMethod(nameof(PageAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private static readonly MethodInfo RecordMethod = typeof(ExplorerData).GetMethod(nameof(RecordAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private static readonly MethodInfo FindMethod = typeof(ExplorerData).GetMethod(nameof(FindEntityAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private static readonly MethodInfo CountMethod = typeof(ExplorerData).GetMethod(nameof(CountChildrenAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public Task<ExplorerPage> LoadPageAsync(ExplorerTable table, GridState state, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        return (Task<ExplorerPage>)PageMethod.MakeGenericMethod(table.ClrType).Invoke(this, [table, state, user, ct])!;
    }

    public Task<ExplorerRecord?> LoadRecordAsync(ExplorerTable table, string key, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        return (Task<ExplorerRecord?>)RecordMethod.MakeGenericMethod(table.ClrType).Invoke(this, [table, key, user, ct])!;
    }

    /// <summary>Row estimates of every platform table from PostgreSQL's statistics (no scan); -1 where never analysed.</summary>
    public async Task<Dictionary<string, long>> EstimatesAsync(CancellationToken ct)
    {
        await using var db = await platform.CreateDbContextAsync(ct);
        var rows = await db.Database.SqlQuery<TableEstimate>(
            $"SELECT c.relname AS name, c.reltuples::bigint AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')")
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.Name, r => r.Rows, StringComparer.Ordinal);
    }

    internal sealed record TableEstimate(string Name, long Rows);

    public async Task<IReadOnlyList<PortalAuditEntry>> HistoryAsync(ExplorerTable table, string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        await using var db = await portal.CreateDbContextAsync(ct);
        return await db.AuditEntries.AsNoTracking()
            .Where(a => a.TableName == table.Name && a.RecordKey == key)
            .OrderByDescending(a => a.OccurredAt)
            .Take(200)
            .ToListAsync(ct);
    }

    /// <summary>
    /// An administrator reveals one sensitive value, giving a reason. The reveal is written to the audit log (who, which row and
    /// column, why; never the value) before the value is read.
    /// </summary>
    public async Task<string?> RevealAsync(ExplorerTable table, string key, string column, string reason, ClaimsPrincipal user, PortalActorInfo actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(actor);
        if (!user.IsInRole(PortalRoles.Administrator))
        {
            throw new ExplorerAccessDeniedException("Only administrators may reveal a sensitive value.");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < 5)
        {
            throw new ArgumentException("Give a reason of at least 5 characters.", nameof(reason));
        }

        var target = table.Column(column);
        if (target is not { IsSensitive: true } || table.Key.Count != 1)
        {
            throw new ArgumentException($"{column} is not a hidden column of {table.Name}.", nameof(column));
        }

        await using (var db = await portal.CreateDbContextAsync(ct))
        {
            db.AuditEntries.Add(new PortalAuditEntry
            {
                OccurredAt = DateTimeOffset.UtcNow,
                UserId = actor.UserId,
                UserName = actor.Name,
                Action = RevealAuditAction,
                TableName = table.Name,
                RecordKey = key,
                Reason = reason.Trim(),
                After = System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize(new { column })),
                IpAddress = actor.IpAddress,
            });
            await db.SaveChangesAsync(ct);
        }

        var entity = await FindAsync(table, key, user, ct);
        return entity is null ? null : Convert.ToString(target.Property.GetValue(entity), System.Globalization.CultureInfo.InvariantCulture);
    }

    public const string RevealAuditAction = "explorer.unmask";

    private Task<object?> FindAsync(ExplorerTable table, string key, ClaimsPrincipal user, CancellationToken ct) =>
        (Task<object?>)FindMethod.MakeGenericMethod(table.ClrType).Invoke(this, [table, key, user, $"explorer reveal: {table.Service}/{table.Name}/{key}", ct])!;

    private async Task<object?> FindEntityAsync<T>(ExplorerTable table, string keyText, ClaimsPrincipal user, string purpose, CancellationToken ct)
        where T : class
    {
        var keyColumn = table.Key[0];
        var x = Expression.Parameter(typeof(T), "x");
        var match = Expression.Lambda<Func<T, bool>>(
            ExplorerQuery.Predicate(x, keyColumn, new GridFilter(keyColumn.Name, GridFilter.Equal, keyText)), x);
        return await RunAsync(table, user, purpose,
            (db, venues, c) => Scoped(db.Set<T>().AsNoTracking(), db, table, venues).Where(match).FirstOrDefaultAsync(c), ct);
    }

    private async Task<ExplorerPage> PageAsync<T>(ExplorerTable table, GridState state, ClaimsPrincipal user, CancellationToken ct)
        where T : class
    {
        var problems = new List<string>();
        var (rows, total, keysetUsed) = await RunAsync(table, user, $"explorer: {table.Service}/{table.Name}", async (db, venues, c) =>
        {
            var filtered = ExplorerQuery.Filter(Scoped(db.Set<T>().AsNoTracking(), db, table, venues), table, state, problems);
            var total = await filtered.Take(CountLimit + 1).CountAsync(c);
            var (sort, descending) = ExplorerQuery.SortColumn(table, state);
            var after = state.After is not null && state.Page > 1 && Keyset.Applies(table, sort)
                ? Keyset.After(db.Set<T>(), table, sort, descending, state.After)
                : null;
            var source = after is null ? filtered : ExplorerQuery.Filter(Scoped(after.AsNoTracking(), db, table, venues), table, state, []);
            var ordered = ExplorerQuery.Sort(source, table, state, problems);
            var page = await (after is null ? ordered.Skip((state.Page - 1) * state.PageSize) : ordered)
                .Take(state.PageSize)
                .ToListAsync(c);
            return (page, total, after is not null);
        }, ct);

        var (sortColumn, _) = ExplorerQuery.SortColumn(table, state);
        var next = rows.Count > 0 && Keyset.Applies(table, sortColumn) ? Keyset.Encode(sortColumn, table.Key[0], rows[^1]) : null;
        return new ExplorerPage([.. rows.Select(r => ToRow(table, r))], Math.Min(total, CountLimit), total > CountLimit, problems)
        {
            NextCursor = next,
            KeysetUsed = keysetUsed,
        };
    }

    private async Task<ExplorerRecord?> RecordAsync<T>(ExplorerTable table, string keyText, ClaimsPrincipal user, CancellationToken ct)
        where T : class
    {
        if (table.Key.Count != 1)
        {
            return null;
        }

        var keyColumn = table.Key[0];
        object key;
        try
        {
            key = ExplorerQuery.ParseValue(keyColumn, keyText);
        }
        catch (FormatException)
        {
            return null;
        }

        var entity = await FindEntityAsync<T>(table, keyText, user, $"explorer record: {table.Service}/{table.Name}/{keyText}", ct);
        if (entity is null)
        {
            return null;
        }

        var row = ToRow(table, entity);
        var children = new List<ExplorerChildCount>();
        foreach (var relation in table.Children.Where(r => r.ForeignKey.Properties.Count == 1 && ReferencesKey(r, keyColumn)))
        {
            if (ExplorerAccess.ScopeFor(user, relation.Child) == ExplorerScope.None)
            {
                continue;
            }

            var count = await RunAsync(relation.Child, user, $"explorer record children: {relation.Child.Name} of {table.Name}/{keyText}",
                (db, venues, c) => (Task<int>)CountMethod.MakeGenericMethod(relation.Child.ClrType).Invoke(null, [db, relation, venues, key, c])!, ct);
            children.Add(new ExplorerChildCount(relation, count));
        }

        return new ExplorerRecord(row, children);
    }

    private static bool ReferencesKey(ExplorerRelation relation, ExplorerColumn keyColumn) =>
        relation.ParentColumns.Count == 1 && relation.ParentColumns[0] == keyColumn.Name;

    private static async Task<int> CountChildrenAsync<TChild>(PlatformDbContext db, ExplorerRelation relation, Guid[]? venues, object key, CancellationToken ct)
        where TChild : class
    {
        var column = relation.Child.Column(relation.ChildColumns[0])!;
        var x = Expression.Parameter(typeof(TChild), "x");
        var member = Expression.Property(x, column.Property);
        var value = Expression.Convert(Expression.Constant(key), column.Property.PropertyType);
        var match = Expression.Lambda<Func<TChild, bool>>(Expression.Equal(member, value), x);
        return await Scoped(db.Set<TChild>().AsNoTracking(), db, relation.Child, venues).Where(match).Take(CountLimit).CountAsync(ct);
    }

    /// <summary>Runs work inside the access path of the user's role for this table.</summary>
    private async Task<TResult> RunAsync<TResult>(
        ExplorerTable table, ClaimsPrincipal user, string purpose,
        Func<PlatformDbContext, Guid[]?, CancellationToken, Task<TResult>> work, CancellationToken ct)
    {
        switch (ExplorerAccess.ScopeFor(user, table))
        {
            case ExplorerScope.AllTenants when await rls.IgnoresSystemUserAsync(table.Name, ct):
                if (!crossTenant.StaffReadConfigured)
                {
                    throw new ExplorerUnavailableException(
                        $"{table.Name} is readable across tenants only through the staff read connection (ConnectionStrings:TicketTokenStaffRead), which is not configured.");
                }

                return await crossTenant.StaffReadAsync(purpose, (db, c) => work(db, null, c), ct);
            case ExplorerScope.AllTenants:
                return await crossTenant.AcrossTenantsAsync(purpose, (db, c) => work(db, null, c), ct);
            case ExplorerScope.OwnVenues:
                {
                    var userId = Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
                    await using var p = await portal.CreateDbContextAsync(ct);
                    var links = await p.UserVenues.AsNoTracking().Where(v => v.UserId == userId).OrderBy(v => v.TenantId).ToListAsync(ct);
                    if (links.Count == 0)
                    {
                        throw new ExplorerAccessDeniedException("Your account is not linked to any venue yet. Ask an administrator to link your venues.");
                    }

                    // A venue manager works inside one tenant: the first of their links.
                    var tenant = links[0].TenantId;
                    var venues = links.Where(l => l.TenantId == tenant).Select(l => l.VenueId).ToArray();
                    return await platform.InTenantAsync(tenant, (db, c) => work(db, venues, c), ct);
                }

            default:
                throw new ExplorerAccessDeniedException($"Your roles don't include reading {table.Service}/{table.Name}.");
        }
    }

    /// <summary>A venue manager sees only rows of their venues: the venue itself, rows with its venue_id, or rows of its events.</summary>
    private static IQueryable<T> Scoped<T>(IQueryable<T> query, PlatformDbContext db, ExplorerTable table, Guid[]? venues)
        where T : class
    {
        if (venues is null)
        {
            return query;
        }

        var columnName = ExplorerAccess.VenueColumn(table) ?? throw new ExplorerAccessDeniedException($"{table.Name} has no venue to scope it by.");
        var column = table.Column(columnName)!;
        var x = Expression.Parameter(typeof(T), "x");
        var member = Expression.Property(x, column.Property);
        var nullable = column.Property.PropertyType == typeof(Guid?);
        Expression contains;
        if (columnName == "event_id")
        {
            IQueryable<Guid> events = db.Events.Where(e => venues.Contains(e.VenueId)).Select(e => e.Id);
            contains = nullable
                ? Expression.Call(typeof(Queryable), nameof(Queryable.Contains), [typeof(Guid?)], events.Select(id => (Guid?)id).Expression, member)
                : Expression.Call(typeof(Queryable), nameof(Queryable.Contains), [typeof(Guid)], events.Expression, member);
        }
        else
        {
            contains = nullable
                ? Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid?)], Expression.Constant(venues.Select(v => (Guid?)v).ToArray()), member)
                : Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid)], Expression.Constant(venues), member);
        }

        return query.Where(Expression.Lambda<Func<T, bool>>(contains, x));
    }

    private static ExplorerRow ToRow(ExplorerTable table, object entity)
    {
        var cells = new Dictionary<string, ExplorerCell>(table.Columns.Count, StringComparer.Ordinal);
        foreach (var column in table.Columns)
        {
            // Sensitive values never leave this method: the browser only learns whether there is one.
            cells[column.Name] = ExplorerFormat.Cell(column, column.Property.GetValue(entity));
        }

        var key = string.Join(",", table.Key.Select(k => cells[k.Name].Text));
        return new ExplorerRow(key, cells);
    }
}

/// <summary>A row as the browser may see it: formatted text, sensitive values already masked.</summary>
public sealed record ExplorerRow(string Key, IReadOnlyDictionary<string, ExplorerCell> Cells);

public sealed record ExplorerPage(IReadOnlyList<ExplorerRow> Rows, int Total, bool TotalIsCapped, IReadOnlyList<string> Problems)
{
    /// <summary>Where this page ended, for a keyset "next page".</summary>
    public string? NextCursor { get; init; }

    /// <summary>This page was found by keyset rather than OFFSET.</summary>
    public bool KeysetUsed { get; init; }
}

public sealed record ExplorerChildCount(ExplorerRelation Relation, int Count);

public sealed record ExplorerRecord(ExplorerRow Row, IReadOnlyList<ExplorerChildCount> Children);

public sealed class ExplorerAccessDeniedException(string message) : Exception(message);

public sealed class ExplorerUnavailableException(string message) : Exception(message);
