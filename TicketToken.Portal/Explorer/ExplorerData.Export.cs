using System.Reflection;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;

namespace TicketToken.Portal.Explorer;

public sealed partial class ExplorerData
{
    private static readonly MethodInfo StreamMethod = typeof(ExplorerData).GetMethod(nameof(StreamAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;

    /// <summary>
    /// Walks the whole filtered set of a grid state (not just one page) in batches, inside the same access path as the grid:
    /// the user's role and venues decide the rows, and cells come out already masked. Batches follow the keyset of the sort
    /// (and the key) where the table allows it, so memory holds one batch at a time. Returns the rows handed out.
    /// </summary>
    /// <param name="onTotal">Called once with the filtered count (capped at <see cref="CountLimit"/> + 1).</param>
    /// <param name="onBatch">Called with each batch of rows, in the grid's order.</param>
    public Task<long> StreamFilteredAsync(
        ExplorerTable table, GridState state, ClaimsPrincipal user, int batchSize,
        Func<long, CancellationToken, Task> onTotal, Func<IReadOnlyList<ExplorerRow>, CancellationToken, Task> onBatch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return (Task<long>)StreamMethod.MakeGenericMethod(table.ClrType).Invoke(this, [table, state, user, batchSize, onTotal, onBatch, ct])!;
    }

    private async Task<long> StreamAsync<T>(
        ExplorerTable table, GridState state, ClaimsPrincipal user, int batchSize,
        Func<long, CancellationToken, Task> onTotal, Func<IReadOnlyList<ExplorerRow>, CancellationToken, Task> onBatch, CancellationToken ct)
        where T : class
    {
        var (sort, descending) = ExplorerQuery.SortColumn(table, state);
        var keyset = Keyset.Applies(table, sort);
        return await RunAsync(table, user, $"explorer export: {table.Service}/{table.Name}", async (db, venues, c) =>
        {
            var filtered = ExplorerQuery.Filter(Scoped(db.Set<T>().AsNoTracking(), db, table, venues), table, state, []);
            await onTotal(await filtered.Take(CountLimit + 1).CountAsync(c), c);
            long done = 0;
            string? cursor = null;
            while (true)
            {
                IQueryable<T> source = filtered;
                if (cursor is not null)
                {
                    var after = Keyset.After(db.Set<T>(), table, sort, descending, cursor)
                        ?? throw new InvalidOperationException("The export's own keyset cursor could not be read.");
                    source = ExplorerQuery.Filter(Scoped(after.AsNoTracking(), db, table, venues), table, state, []);
                }

                var ordered = ExplorerQuery.Sort(source, table, state, []);
                var batch = await (keyset ? ordered : ordered.Skip((int)Math.Min(done, int.MaxValue)))
                    .Take(batchSize)
                    .ToListAsync(c);
                if (batch.Count == 0)
                {
                    break;
                }

                await onBatch([.. batch.Select(r => ToRow(table, r))], c);
                done += batch.Count;
                if (batch.Count < batchSize)
                {
                    break;
                }

                if (keyset)
                {
                    cursor = Keyset.Encode(sort, table.Key[0], batch[^1]);
                }

                db.ChangeTracker.Clear();
            }

            return done;
        }, ct);
    }
}
