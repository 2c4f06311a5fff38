namespace TicketToken.Data.Seeding;

/// <summary>How much demo data to create.</summary>
public enum SeedScale
{
    /// <summary>About 10k orders: every table gets rows, fast enough for a developer laptop or a test.</summary>
    Demo,

    /// <summary>1M orders, ~3M tickets, ~1M payment transactions, through binary COPY.</summary>
    Large,
}

/// <summary>Options of one seeding run.</summary>
/// <param name="Scale">Volume of the core (order/ticket/payment) data.</param>
/// <param name="Seed">Seed of every random choice and of every generated UUID: same seed, same rows.</param>
/// <param name="VerifyForeignKeys">
/// After seeding, check every foreign key of the schema by an anti-join and report violations in
/// <see cref="SeedReport.ForeignKeyViolations"/> (the seed fails if there are any).
/// </param>
public sealed record SeedOptions(SeedScale Scale, int Seed = 42, bool VerifyForeignKeys = true)
{
    /// <summary>The fixed "now" of the data set: dates are derived from it, never from the wall clock.</summary>
    public DateTime AnchorUtc { get; init; } = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Bulk mode (triggers off, empty bulk tables truncated and loaded with COPY FREEZE, secondary indexes rebuilt
    /// after the load): null = automatic (large scale with a superuser); true forces it at any scale (tests compare it
    /// with the normal path at demo scale) and needs a superuser; false turns it off.
    /// </summary>
    internal bool? BulkMode { get; init; }

    /// <summary>
    /// Connections that load the bulk tables at once, each table in a transaction of its own (bulk mode on a database
    /// whose bulk tables are empty and that has the portal's <c>seed_runs</c> table): null = automatic (2 at large
    /// scale, 1 otherwise); 1 keeps the whole seed in one transaction.
    /// </summary>
    internal int? Streams { get; init; }

    /// <summary>
    /// Test hook: fail the run right after this table's own transaction has committed, or (<c>table.name</c>) after a
    /// stream has added this dropped foreign key back and committed it.
    /// </summary>
    internal string? FailAfterTable { get; init; }

    /// <summary>Test hook: on a failure, leave the run unfinished (as a killed process would) instead of undoing it.</summary>
    internal bool SkipUndoOnFailure { get; init; }
}

/// <summary>Progress of one stage (usually one table).</summary>
/// <param name="Stage">Stage name, usually the table being written.</param>
/// <param name="Done">Rows (or steps) done in this stage.</param>
/// <param name="Total">Rows (or steps) expected in this stage; 0 when unknown.</param>
/// <param name="StageIndex">1-based index of the stage.</param>
/// <param name="StageCount">Number of stages expected in the run.</param>
public sealed record SeedProgress(string Stage, long Done, long Total, int StageIndex = 0, int StageCount = 0);

/// <summary>What a seeding run did.</summary>
/// <param name="AlreadySeeded">True when the database already held the demo data set: nothing was written.</param>
/// <param name="DemoTenantId">The demo tenant; the portal's demo venue manager is linked to its venues.</param>
/// <param name="DemoVenueIds">The venues of the demo tenant, in a stable order.</param>
/// <param name="RowsPerTable">Row count of every platform table after the run.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record SeedReport(
    bool AlreadySeeded,
    Guid DemoTenantId,
    IReadOnlyList<Guid> DemoVenueIds,
    IReadOnlyDictionary<string, long> RowsPerTable,
    TimeSpan Elapsed)
{
    /// <summary>Rows written by the seeder itself (COPY and INSERT … SELECT), excluding rows made by triggers.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Foreign keys found violated by the post-seed check (empty when all hold or when not verified).</summary>
    public IReadOnlyList<string> ForeignKeyViolations { get; init; } = [];

    /// <summary>Number of foreign keys checked by the post-seed check.</summary>
    public int ForeignKeysChecked { get; init; }

    /// <summary>Tables seeded by the hand-written, coherent core generators.</summary>
    public IReadOnlyList<string> HandSeededTables { get; init; } = [];

    /// <summary>Tables seeded by the metadata-driven generic generator.</summary>
    public IReadOnlyList<string> GenericTables { get; init; } = [];

    /// <summary>Generic tables whose first attempt failed (with the reason) and that were re-seeded with every optional column NULL.</summary>
    public IReadOnlyList<string> GenericFallbacks { get; init; } = [];

    /// <summary>Whether bulk tables were loaded with session_replication_role = replica (large scale, superuser).</summary>
    public bool BulkModeUsed { get; init; }

    /// <summary>Connections that loaded the bulk tables at once: 1 when the whole seed ran in one transaction.</summary>
    public int Streams { get; init; } = 1;

    /// <summary>Unfinished earlier runs (a killed process) that this run undid before it started.</summary>
    public int UndoneRuns { get; init; }

    /// <summary>Time spent writing rows, excluding the foreign key verification.</summary>
    public TimeSpan SeedingElapsed { get; init; }

    /// <summary>Where the time went: the core tables' COPYs and index rebuilds, the generic tables, the checks and the commit.</summary>
    public IReadOnlyList<SeedPhase> Phases { get; init; } = [];

    /// <summary>
    /// The parts worth listing after a run that wrote rows for more than 20 s: the slowest first, at most
    /// <paramref name="count"/>; none after a short run or one that found the database seeded.
    /// </summary>
    public IEnumerable<SeedPhase> SlowestPhases(int count) =>
        AlreadySeeded || Elapsed <= TimeSpan.FromSeconds(20) ? [] : Phases.OrderByDescending(p => p.Elapsed).Take(count);
}

/// <summary>One timed part of a seeding run. <paramref name="Rows"/> is 0 for work that writes no rows (index builds, checks).</summary>
public sealed record SeedPhase(string Name, TimeSpan Elapsed, long Rows)
{
    /// <summary>Rows written per second, or null for work that writes no rows.</summary>
    public double? RowsPerSecond => Rows > 0 && Elapsed > TimeSpan.Zero ? Rows / Elapsed.TotalSeconds : null;

    /// <summary>One line for a log: <c>orders (copy): 39.6 s (25,240 rows/s)</c>.</summary>
    public string Line => FormattableString.Invariant($"{Name}: {Elapsed.TotalSeconds:F1} s") +
        (RowsPerSecond is { } rate ? FormattableString.Invariant($" ({rate:N0} rows/s)") : "");
}
