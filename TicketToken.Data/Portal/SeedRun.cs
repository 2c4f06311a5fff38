namespace TicketToken.Data.Portal;

/// <summary>State of a <see cref="SeedRun"/>.</summary>
public enum SeedRunState
{
    /// <summary>Loading: the foreign keys in <see cref="SeedRun.RestoreSql"/> are dropped until the run ends.</summary>
    Running = 0,

    /// <summary>Everything committed, the foreign keys restored and validated.</summary>
    Completed = 1,

    /// <summary>Failed or interrupted, and undone: the loaded tables emptied again and the foreign keys restored.</summary>
    RolledBack = 2,
}

/// <summary>
/// A large seed loaded on several connections (ADR 0003): it drops the foreign keys that reference the tables it loads,
/// so each table can be emptied and loaded in a transaction of its own. This record, committed before anything is
/// dropped, is what lets the seeder (the same run on a failure, or the next run after a crash) undo an unfinished run.
/// </summary>
public class SeedRun
{
    public Guid Id { get; set; }

    public SeedRunState State { get; set; }

    public int Seed { get; set; }

    public string Scale { get; set; } = "";

    /// <summary>The platform tables the run loads on its own connections: empty when it started, emptied again when it is undone.</summary>
    public string[] Tables { get; set; } = [];

    /// <summary>The <c>ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY</c> statements that put back what the run dropped.</summary>
    public string[] RestoreSql { get; set; } = [];

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Why the run was undone (an exception message, never a stack trace); null otherwise.</summary>
    public string? Error { get; set; }
}
