using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;

namespace TicketToken.Data.Seeding;

/// <summary>
/// Loads the bulk tables of a large seed on several connections at once, each table in a transaction of its own
/// (ADR 0003, "Several streams"). Every job TRUNCATEs its table (empty when the run started), drops its indexes
/// (primary key and unique constraints included), COPYs the rows with FREEZE, builds the indexes and constraints
/// again and commits: because the table got a new file in that transaction, PostgreSQL writes no WAL for it under
/// <c>wal_level = minimal</c>. That is only possible because the run has dropped every foreign key that references
/// these tables (<see cref="PlatformSeeder"/> records them in <c>portal.seed_runs</c> first and restores them at the end).
/// </summary>
internal sealed class ParallelLoad : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly DbCatalog _catalog;
    private readonly HashSet<string> _tables;
    private readonly Channel<(Func<CancellationToken, Task> Run, TaskCompletionSource Done)> _queue = Channel.CreateUnbounded<(Func<CancellationToken, Task>, TaskCompletionSource)>();
    private readonly Task[] _workers;
    private readonly IProgress<SeedProgress>? _progress;
    private readonly string? _failAfterTable;
    private readonly CancellationTokenSource _cts;
    private readonly List<Task> _jobs = [];
    private readonly List<SeedPhase> _phases = [];
    private long _rows;

    public ParallelLoad(NpgsqlDataSource dataSource, DbCatalog catalog, IEnumerable<string> tables, int streams, IProgress<SeedProgress>? progress, string? failAfterTable, CancellationToken ct)
    {
        _dataSource = dataSource;
        _catalog = catalog;
        _tables = new HashSet<string>(tables, StringComparer.Ordinal);
        Streams = streams;
        _progress = progress;
        _failAfterTable = failAfterTable;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _workers = [.. Enumerable.Range(0, streams).Select(_ => Task.Run(WorkAsync, CancellationToken.None))];
    }

    public int Streams { get; }

    public long RowsWritten => Interlocked.Read(ref _rows);

    /// <summary>The jobs' COPYs and index builds, in the order they finished.</summary>
    public IReadOnlyList<SeedPhase> Phases
    {
        get
        {
            lock (_phases)
            {
                return [.. _phases];
            }
        }
    }

    public bool Owns(string table) => _tables.Contains(table);

    /// <summary>
    /// Queues a table's load; jobs start in the order they are queued, as many at once as there are streams. The rows
    /// are generated on the job's thread. <paramref name="rebuildIndexes"/>: drop every index and index-backed
    /// constraint before the COPY and build them after it (worth it for large tables only).
    /// </summary>
    public void Enqueue(string table, string[] columns, IEnumerable<object?[]> rows, long expected, bool replica, bool rebuildIndexes, int stage, int stageCount)
    {
        if (!_tables.Contains(table))
        {
            throw new InvalidOperationException($"Table '{table}' is not loaded in parallel by this run.");
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _jobs.Add(done.Task);
        if (!_queue.Writer.TryWrite((token => LoadAsync(table, columns, rows, expected, replica, rebuildIndexes, stage, stageCount, token), done)))
        {
            throw new InvalidOperationException("The parallel load has ended.");
        }
    }

    /// <summary>Waits for every queued job; rethrows the first failure (a cancellation only when nothing else failed).</summary>
    public async Task DrainAsync()
    {
        try
        {
            await Task.WhenAll(_jobs.ToArray());
        }
        catch
        {
            var real = _jobs.Where(j => j.IsFaulted).SelectMany(j => j.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
            if (real is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(real).Throw();
            }

            throw;
        }
    }

    /// <summary>Cancels the jobs still queued or running and waits until no stream is left working (their transactions roll back).</summary>
    public async Task AbortAsync()
    {
        _queue.Writer.TryComplete();
        await _cts.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await AbortAsync();
        _cts.Dispose();
    }

    private async Task WorkAsync()
    {
        await foreach (var (run, done) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (_cts.IsCancellationRequested)
            {
                done.TrySetCanceled(_cts.Token);
                continue;
            }

            try
            {
                await run(_cts.Token);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                // One failed table stops the others: the run is undone as a whole.
                await _cts.CancelAsync();
                done.TrySetException(e);
            }
        }
    }

    private async Task LoadAsync(string table, string[] columns, IEnumerable<object?[]> rows, long expected, bool replica, bool rebuildIndexes, int stage, int stageCount, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        _progress?.Report(new SeedProgress(table, 0, expected, stage, stageCount));
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var info = _catalog[table];
        await ExecAsync(
            conn,
            "SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '30s'; SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL max_parallel_maintenance_workers = 0" +
            (replica ? "; SET LOCAL session_replication_role = replica" : string.Empty),
            ct);
        await ExecAsync(conn, $"TRUNCATE {info.QuotedName}", ct);
        var rebuild = rebuildIndexes ? await DropIndexesAsync(conn, table, constraints: true, ct) : [];

        long n;
        await using (var writer = await CopyTableWriter.OpenAsync(conn, info, columns, preferBinary: true, ct, freeze: true))
        {
            n = await writer.WriteAllAsync(rows, table, expected, stage, stageCount, _progress, ct);
        }

        AddPhase(new SeedPhase($"{table} (copy)", clock.Elapsed, n));
        if (rebuild.Count > 0)
        {
            _progress?.Report(new SeedProgress(table, n, n + 1, stage, stageCount));
            clock.Restart();
            foreach (var sql in rebuild)
            {
                await ExecAsync(conn, sql, ct);
            }

            AddPhase(new SeedPhase($"{table} ({rebuild.Count} indexes)", clock.Elapsed, 0));
        }

        // Fresh statistics for the foreign key checks at the end of the run, and for the portal's first queries
        // (autovacuum would only get to a table of millions of new rows later).
        clock.Restart();
        await ExecAsync(conn, $"ANALYZE {info.QuotedName}", ct);
        AddPhase(new SeedPhase($"{table} (analyze)", clock.Elapsed, 0));
        await tx.CommitAsync(ct);
        Interlocked.Add(ref _rows, n);
        _progress?.Report(new SeedProgress(table, n, n, stage, stageCount));
        if (string.Equals(table, _failAfterTable, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Failure injected after '{table}' was committed (test hook).");
        }
    }

    /// <summary>
    /// Drops every index of the table except GIN ones (maintained during the COPY: cheaper than a build, ADR 0003) and
    /// those that back a constraint; with <paramref name="constraints"/>, the primary key and unique constraints too
    /// (only possible when no foreign key references them: a parallel run has dropped those). Returns the statements
    /// that build them again, plain indexes first, from their own definitions.
    /// </summary>
    internal static async Task<List<string>> DropIndexesAsync(NpgsqlConnection conn, string table, bool constraints, CancellationToken ct)
    {
        var indexes = new List<(string Name, string Def)>();
        var keys = new List<(string Name, string Def)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid)
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = c.oid AND con.contype IN ('p', 'u')
            WHERE n.nspname = 'public' AND c.relname = @t
              AND (SELECT amname FROM pg_am WHERE oid = ic.relam) <> 'gin'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.contype NOT IN ('p', 'u', 'f'))
            ORDER BY ic.relname
            """, conn))
        {
            cmd.Parameters.AddWithValue("t", table);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (r.IsDBNull(2))
                {
                    indexes.Add((r.GetString(0), r.GetString(1)));
                }
                else if (constraints)
                {
                    keys.Add((r.GetString(2), r.GetString(3)));
                }
            }
        }

        var quoted = $"public.{DbCatalog.Quote(table)}";
        foreach (var (name, _) in keys)
        {
            await ExecAsync(conn, $"ALTER TABLE {quoted} DROP CONSTRAINT {DbCatalog.Quote(name)}", ct);
        }

        foreach (var (name, _) in indexes)
        {
            await ExecAsync(conn, $"DROP INDEX public.{DbCatalog.Quote(name)}", ct);
        }

        return [.. indexes.Select(i => i.Def), .. keys.Select(c => $"ALTER TABLE {quoted} ADD CONSTRAINT {DbCatalog.Quote(c.Name)} {c.Def}")];
    }

    private void AddPhase(SeedPhase phase)
    {
        lock (_phases)
        {
            _phases.Add(phase);
        }
    }

    private static Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct) =>
        PlatformSeeder.ExecAsync(conn, sql, ct, timeoutSeconds: 0);
}
