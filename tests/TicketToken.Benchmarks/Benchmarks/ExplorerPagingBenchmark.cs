using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TicketToken.Benchmarks.Harness;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Explorer;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// The explorer's grid on <c>orders</c> (newest first, 50 rows a page), as an administrator: the first page, and page 10,000
/// (or the last page, on smaller data) by OFFSET and by keyset. Server time of the whole page load: the recorded
/// cross-tenant read, the capped count and the rows. Run after <c>db seed --scale large</c> for the 1M-row figure.
/// </summary>
public sealed class ExplorerPagingBenchmark : IBenchmark
{
    private const int PageSize = 50;

    public string Name => "explorer.orders";

    public string Description => "explorer grid on orders: first page, and page 10,000 by OFFSET vs keyset (server time per page load)";

    public bool NeedsDatabase => true;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var platform = new ContextFactory<PlatformDbContext>(() => new PlatformDbContext(context.PlatformOptions()));
        var portal = new ContextFactory<PortalDbContext>(() =>
        {
            var options = new DbContextOptionsBuilder<PortalDbContext>();
            DataServiceCollectionExtensions.ConfigurePortal(options, context.ConnectionString);
            return new PortalDbContext(options.Options);
        });
        var catalog = new ExplorerCatalog(platform);
        using var rls = new ExplorerRlsFacts(platform);
        var access = new CrossTenantAccess(platform, portal, new SystemPortalActor(), Options.Create(new DataAccessOptions
        {
            StaffReadConnectionString = context.Configuration.GetConnectionString(DataServiceCollectionExtensions.StaffReadConnectionStringName),
        }), TimeProvider.System);
        var data = new ExplorerData(platform, portal, access, rls);
        var table = catalog.Find("order", "orders") ?? throw new InvalidOperationException("orders is not in the model");
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, PortalRoles.Administrator), new Claim(ClaimTypes.Name, "benchmark")], "bench"));

        var first = await data.LoadPageAsync(table, GridState.Parse($"size={PageSize}"), admin, cancellationToken);
        // The grid's count stops at ExplorerData.CountLimit; a capped count means "at least that many", so page 10,000 exists
        // on the large seed even though the capped count alone would put the last page at 2,000.
        var lastPage = first.TotalIsCapped ? int.MaxValue : Math.Max(2, (int)Math.Ceiling(first.Total / (double)PageSize));
        var deep = Math.Min(10_000, lastPage);
        BenchmarkContext.Log($"orders: {first.Total:N0}{(first.TotalIsCapped ? "+" : "")} rows; deep page = {deep:N0}");
        var before = await data.LoadPageAsync(table, GridState.Parse($"size={PageSize}&page={deep - 1}"), admin, cancellationToken);
        var cursor = before.NextCursor ?? throw new InvalidOperationException("no keyset cursor for orders");

        var iterations = Math.Clamp(context.Settings.Iterations / 10, 5, 50);
        var warmup = Math.Clamp(context.Settings.Warmup / 10, 1, 5);
        var firstStats = await Timing.MeasureAsync(
            ct => data.LoadPageAsync(table, GridState.Parse($"size={PageSize}"), admin, ct), warmup, iterations, cancellationToken);
        var offsetStats = await Timing.MeasureAsync(
            ct => data.LoadPageAsync(table, GridState.Parse($"size={PageSize}&page={deep}"), admin, ct), warmup, iterations, cancellationToken);
        var keysetStats = await Timing.MeasureAsync(
            async ct =>
            {
                var page = await data.LoadPageAsync(table, GridState.Parse($"size={PageSize}&page={deep}&after={cursor}"), admin, ct);
                if (!page.KeysetUsed)
                {
                    throw new InvalidOperationException("the keyset path was not taken");
                }
            }, warmup, iterations, cancellationToken);

        var ms = 1000.0;
        return
        [
            new Figure($"{Name}.page1.p50", firstStats.Median / ms, "ms", "first page: median"),
            new Figure($"{Name}.page1.p95", firstStats.P95 / ms, "ms", "first page: 95th percentile"),
            new Figure($"{Name}.deep.offset.p50", offsetStats.Median / ms, "ms", $"page {deep:N0} by OFFSET: median"),
            new Figure($"{Name}.deep.keyset.p50", keysetStats.Median / ms, "ms", $"page {deep:N0} by keyset: median"),
            new Figure($"{Name}.deep.keyset.p95", keysetStats.P95 / ms, "ms", $"page {deep:N0} by keyset: 95th percentile"),
            new Figure($"{Name}.deep.offset.ratio", offsetStats.Median / firstStats.Median, "x", "deep page by OFFSET / first page"),
            new Figure($"{Name}.deep.keyset.ratio", keysetStats.Median / firstStats.Median, "x", "deep page by keyset / first page"),
            new Figure($"{Name}.deep.page", deep, "count", "the deep page measured"),
            new Figure($"{Name}.rows", first.Total, "count", first.TotalIsCapped ? "rows (count capped)" : "rows"),
        ];
    }
}
