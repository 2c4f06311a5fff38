using System.Diagnostics;
using System.Text.RegularExpressions;
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
internal sealed partial class ParallelLoad : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly DbCatalog _catalog;
    private readonly HashSet<string> _tables;
    private readonly Channel<(Func<CancellationToken, Task> Run, TaskCompletionSource Done)> _queue = Channel.CreateUnbounded<(Func<CancellationToken, Task>, TaskCompletionSource)>();

    // Foreign keys ready to add back go before the tables still queued: the end of the run then holds only the keys
    // of the last tables, not every key.
    private readonly Channel<(Func<CancellationToken, Task> Run, TaskCompletionSource Done)> _keys = Channel.CreateUnbounded<(Func<CancellationToken, Task>, TaskCompletionSource)>();
    private readonly Task[] _workers;
    private readonly IProgress<SeedProgress>? _progress;
    private readonly string? _failAfterTable;
    private readonly CancellationTokenSource _cts;
    private readonly object _gate = new();
    private readonly List<Task> _jobs = [];
    private readonly Dictionary<string, Task> _tableJobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _committed = new(StringComparer.Ordinal);
    private readonly List<ForeignKeyRestore> _pendingKeys;
    private readonly List<string> _restoredKeys = [];
    private readonly List<SeedPhase> _phases = [];
    private long _rows;
    private long _keyTicks;

    /// <param name="foreignKeys">
    /// The foreign keys the run dropped. Each one between two of these tables is added back on a stream, in a
    /// transaction of its own, as soon as both tables are committed; the rest are left to the caller.
    /// </param>
    public ParallelLoad(NpgsqlDataSource dataSource, DbCatalog catalog, IEnumerable<string> tables, IEnumerable<ForeignKeyRestore> foreignKeys, int streams, IProgress<SeedProgress>? progress, string? failAfterTable, CancellationToken ct)
    {
        _dataSource = dataSource;
        _catalog = catalog;
        _tables = new HashSet<string>(tables, StringComparer.Ordinal);
        _pendingKeys = [.. foreignKeys.Where(k => _tables.Contains(k.Table) && _tables.Contains(k.ReferencedTable))];
        Streams = streams;
        _progress = progress;
        _failAfterTable = failAfterTable;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _workers = [.. Enumerable.Range(0, streams).Select(_ => Task.Run(WorkAsync, CancellationToken.None))];
    }

    /// <summary>A dropped foreign key: its table, the table it references, its key (<c>table.name</c>) and the statement that adds it back.</summary>
    internal sealed record ForeignKeyRestore(string Table, string ReferencedTable, string Key, string Sql);

    public int Streams { get; }

    /// <summary>
    /// Settings for the queries over the bulk tables during a seed (validating and checking foreign keys, the settlement
    /// aggregates): enough memory to hash a referenced table's keys in one batch; and no parallel workers, as the
    /// streams already keep every core busy (measured: validating ticket_scans -> tickets took 3.2 s with two workers,
    /// 0.5 s without).
    /// </summary>
    internal const string QuerySettings = "SET LOCAL work_mem = '256MB'; SET LOCAL max_parallel_workers_per_gather = 0";

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

    /// <summary>Foreign keys (<c>table.name</c>) the streams have added back and committed.</summary>
    public IReadOnlyList<string> RestoredForeignKeys
    {
        get
        {
            lock (_gate)
            {
                return [.. _restoredKeys];
            }
        }
    }

    /// <summary>Time the streams spent adding foreign keys back (summed over the streams).</summary>
    public TimeSpan ForeignKeyTime => TimeSpan.FromTicks(Interlocked.Read(ref _keyTicks));

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
        lock (_gate)
        {
            if (!_tableJobs.TryAdd(table, done.Task))
            {
                throw new InvalidOperationException($"Table '{table}' is already queued.");
            }

            _jobs.Add(done.Task);
        }

        if (!_queue.Writer.TryWrite((token => LoadAsync(table, columns, rows, expected, replica, rebuildIndexes, stage, stageCount, token), done)))
        {
            throw new InvalidOperationException("The parallel load has ended.");
        }
    }

    /// <summary>
    /// Waits until the loads of the given tables (those queued; null: every table) are committed; rethrows the first
    /// failure of any job (a cancellation only when nothing else failed).
    /// </summary>
    public Task WaitForTablesAsync(IEnumerable<string>? tables = null)
    {
        Task[] jobs;
        lock (_gate)
        {
            jobs = tables is null ? [.. _tableJobs.Values] : [.. tables.Where(_tableJobs.ContainsKey).Select(t => _tableJobs[t])];
        }

        return AwaitAsync(jobs);
    }

    /// <summary>
    /// Waits until the loads of the tables this SQL names (as whole words, outside string literals and comments:
    /// <c>'refunds'</c> is a label, not the <c>refunds</c> table) are committed.
    /// </summary>
    public Task WaitForTablesReadByAsync(string sql) => WaitForTablesAsync(TablesNamedIn(sql, _tables));

    /// <summary>Those of <paramref name="tables"/> that <paramref name="sql"/> names, outside string literals and comments.</summary>
    internal static IReadOnlyList<string> TablesNamedIn(string sql, IEnumerable<string> tables)
    {
        var words = Words().Matches(SqlLiteralsAndComments().Replace(sql, " ")).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        return [.. tables.Where(words.Contains)];
    }

    [GeneratedRegex(@"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SqlLiteralsAndComments();

    [GeneratedRegex(@"\w+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    /// <summary>Waits for every job, the foreign keys the loads made ready included; rethrows as <see cref="WaitForTablesAsync"/>.</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task[] jobs;
            lock (_gate)
            {
                jobs = [.. _jobs];
            }

            await AwaitAsync(jobs);
            lock (_gate)
            {
                if (_jobs.Count == jobs.Length)
                {
                    return;
                }
            }
        }
    }

    private async Task AwaitAsync(Task[] jobs)
    {
        try
        {
            await Task.WhenAll(jobs);
        }
        catch
        {
            Task[] all;
            lock (_gate)
            {
                all = [.. _jobs];
            }

            var real = all.Where(j => j.IsFaulted).SelectMany(j => j.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
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
        _keys.Writer.TryComplete();
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
        while (true)
        {
            if (!_keys.Reader.TryRead(out var job) && !_queue.Reader.TryRead(out job))
            {
                var keys = _keys.Reader.WaitToReadAsync().AsTask();
                var tables = _queue.Reader.WaitToReadAsync().AsTask();
                var first = await Task.WhenAny(keys, tables);
                if (!await first && !await (first == keys ? tables : keys))
                {
                    return; // both queues completed and empty
                }

                continue;
            }

            var (run, done) = job;
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
            $"SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '30s'; {DefaultBuildMemory}; SET LOCAL max_parallel_maintenance_workers = 0" +
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

        QueueReadyForeignKeys(table);
    }

    /// <summary>
    /// Queues the foreign keys whose two tables are now both committed. No job touches either table again (one job per
    /// table), so adding the key (SHARE ROW EXCLUSIVE on both) cannot wait for a later load.
    /// </summary>
    private void QueueReadyForeignKeys(string committed)
    {
        List<ForeignKeyRestore> ready;
        lock (_gate)
        {
            _committed.Add(committed);
            ready = [.. _pendingKeys.Where(k => _committed.Contains(k.Table) && _committed.Contains(k.ReferencedTable))];
            _pendingKeys.RemoveAll(ready.Contains);
        }

        foreach (var key in ready)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _jobs.Add(done.Task);
            }

            if (!_keys.Writer.TryWrite((token => RestoreAsync(key, token), done)))
            {
                done.TrySetCanceled();
            }
        }
    }

    /// <summary>Adds a dropped foreign key back (PostgreSQL validates it) and commits; the run's undo skips the keys already there.</summary>
    private async Task RestoreAsync(ForeignKeyRestore key, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, $"SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '30s'; {QuerySettings}", ct);
        await ExecAsync(conn, key.Sql, ct);
        await tx.CommitAsync(ct);
        lock (_gate)
        {
            _restoredKeys.Add(key.Key);
        }

        Interlocked.Add(ref _keyTicks, clock.Elapsed.Ticks);
        if (string.Equals(key.Key, _failAfterTable, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Failure injected after the foreign key '{key.Key}' was committed (test hook).");
        }
    }

    /// <summary>The memory each index build of a seed gets, except GIN builds (<see cref="GinMemory"/>).</summary>
    internal const string DefaultBuildMemory = "SET LOCAL maintenance_work_mem = '1GB'";

    private const string GinMemory = "SET LOCAL maintenance_work_mem = '32MB'";

    /// <summary>
    /// Drops every index of the table except those that back a constraint; with <paramref name="constraints"/>, the
    /// primary key and unique constraints too (only possible when no foreign key references them: a parallel run has
    /// dropped those). Returns the statements that build them again, plain indexes first, from their own definitions.
    /// A GIN index is built with a small <c>maintenance_work_mem</c>: its build accumulates keys in that memory, and
    /// for orders' search vector a 32 MB budget builds in 17 s where 1 GB takes 28 s and maintaining the index during
    /// the COPY 20 s (ADR 0003, "GIN indexes built, in a small budget").
    /// </summary>
    internal static async Task<List<string>> DropIndexesAsync(NpgsqlConnection conn, string table, bool constraints, CancellationToken ct)
    {
        var indexes = new List<(string Name, string Def)>();
        var keys = new List<(string Name, string Def)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid),
                   (SELECT amname FROM pg_am WHERE oid = ic.relam) = 'gin'
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = c.oid AND con.contype IN ('p', 'u')
            WHERE n.nspname = 'public' AND c.relname = @t
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
                    var def = r.GetString(1);
                    indexes.Add((r.GetString(0), r.GetBoolean(4) ? $"{GinMemory}; {def}; {DefaultBuildMemory}" : def));
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
