using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TicketToken.Benchmarks.Harness;
using TicketToken.Data;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// A warm single-row read, as a page does it (a new context per operation, no tracking): EF Core against the same SQL
/// through plain Npgsql, reading every column. Shows EF's per-query overhead once the model is built.
/// </summary>
public sealed class TenantQueryBenchmark : IBenchmark
{
    public string Name => "query.tenant";

    public string Description => "one row of tenants, warm: EF Core (new context per query) vs the same SQL in plain Npgsql";

    public bool NeedsDatabase => true;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.PlatformOptions();
        // The SQL and parameters EF sends, so that both sides run the same statement.
        string sql;
        List<(string Name, object? Value)> parameters;
        int rows;
        await using (var db = new PlatformDbContext(options))
        {
            var query = FirstTenant(db);
            await using (var efCommand = query.CreateDbCommand())
            {
                sql = efCommand.CommandText;
                parameters = efCommand.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, p.Value)).ToList();
            }

            rows = (await query.ToListAsync(cancellationToken)).Count;
        }

        var figures = await NpgsqlComparison.CompareAsync(
            Name,
            context,
            async ct =>
            {
                await using var db = new PlatformDbContext(options);
                await FirstTenant(db).FirstOrDefaultAsync(ct);
            },
            async (connection, ct) =>
            {
                await using var command = new NpgsqlCommand(sql, connection);
                foreach (var (name, value) in parameters)
                {
                    command.Parameters.AddWithValue(name, value ?? DBNull.Value);
                }

                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        _ = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }
                }
            },
            cancellationToken);
        return [.. figures, new Figure($"{Name}.rows", rows, "count", "rows read per query (0: empty tenants table)")];
    }

    private static IQueryable<Data.Auth.Tenant> FirstTenant(PlatformDbContext db) =>
        db.Tenants.AsNoTracking().OrderBy(t => t.Id).Take(1);
}
