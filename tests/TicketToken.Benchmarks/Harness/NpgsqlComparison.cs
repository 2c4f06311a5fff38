using Npgsql;

namespace TicketToken.Benchmarks.Harness;

/// <summary>
/// Times the same work through EF Core and through plain Npgsql (the floor: one round trip, no model, no tracking)
/// and reports both plus their ratio, <c>&lt;name&gt;.ratio</c> = EF median / Npgsql median.
/// </summary>
public static class NpgsqlComparison
{
    public static async Task<IReadOnlyList<Figure>> CompareAsync(
        string name,
        BenchmarkContext context,
        Func<CancellationToken, Task> efCore,
        Func<NpgsqlConnection, CancellationToken, Task> npgsql,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(npgsql);
        var settings = context.Settings;
        BenchmarkContext.Log($"{name}: EF Core, {settings.Iterations} iterations after {settings.Warmup} warm-up");
        var ef = await Timing.MeasureAsync(efCore, settings.Warmup, settings.Iterations, cancellationToken);

        await using var dataSource = NpgsqlDataSource.Create(context.ConnectionString);
        BenchmarkContext.Log($"{name}: Npgsql, {settings.Iterations} iterations after {settings.Warmup} warm-up");
        var direct = await Timing.MeasureAsync(
            async ct =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                await npgsql(connection, ct);
            },
            settings.Warmup,
            settings.Iterations,
            cancellationToken);

        return
        [
            .. Figure.FromStats($"{name}.efcore", ef, "EF Core"),
            .. Figure.FromStats($"{name}.npgsql", direct, "plain Npgsql"),
            new Figure($"{name}.ratio", ef.Median / direct.Median, "x", "EF Core median / Npgsql median"),
        ];
    }
}
