using Microsoft.EntityFrameworkCore;
using TicketToken.Data;

namespace TicketToken.Portal.Explorer;

/// <summary>
/// Which tables' row-level-security policies ignore <c>app.is_system_user</c> (the auth tables): staff read those through the
/// staff read connection. Read once from <c>pg_policies</c>, so it holds for the fresh install and the platform's own policies.
/// </summary>
public sealed class ExplorerRlsFacts(IDbContextFactory<PlatformDbContext> contexts) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private HashSet<string>? ignoring;

    public async Task<bool> IgnoresSystemUserAsync(string table, CancellationToken ct)
    {
        if (ignoring is null)
        {
            await gate.WaitAsync(ct);
            try
            {
                if (ignoring is null)
                {
                    await using var db = await contexts.CreateDbContextAsync(ct);
                    var tables = await db.Database.SqlQuery<string>($"""
                        SELECT tablename AS "Value" FROM pg_policies WHERE schemaname = 'public'
                        GROUP BY tablename
                        HAVING bool_and(coalesce(qual, '') NOT LIKE '%is_system_user%')
                        """).ToListAsync(ct);
                    ignoring = new HashSet<string>(tables, StringComparer.Ordinal);
                }
            }
            finally
            {
                gate.Release();
            }
        }

        return ignoring.Contains(table);
    }

    public void Dispose() => gate.Dispose();
}
