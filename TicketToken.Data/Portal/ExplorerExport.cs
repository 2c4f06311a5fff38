namespace TicketToken.Data.Portal;

public enum ExplorerExportStatus
{
    Queued = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
}

/// <summary>
/// An export of an explorer table's filtered rows, produced by a Hangfire job under the requester's permissions.
/// The file is stored in <see cref="ExplorerExportChunk"/> rows, so any portal instance can serve the download.
/// </summary>
public class ExplorerExport
{
    public Guid Id { get; set; }

    public Guid RequestedBy { get; set; }

    public string RequestedByName { get; set; } = "";

    public string Service { get; set; } = "";

    public string TableName { get; set; } = "";

    /// <summary>The grid state (URL query) whose filtered set is exported.</summary>
    public string Query { get; set; } = "";

    /// <summary><c>csv</c> or <c>xlsx</c>.</summary>
    public string Format { get; set; } = "";

    public ExplorerExportStatus Status { get; set; }

    public long RowsDone { get; set; }

    /// <summary>The filtered count when the job started (capped like the grid's count); null until known.</summary>
    public long? EstimatedTotal { get; set; }

    public string? FileName { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>A message for the user when the export failed (never a stack trace).</summary>
    public string? Error { get; set; }

    public string? JobId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>One piece (up to 1 MiB) of an export's file, in order of <see cref="Sequence"/>.</summary>
public class ExplorerExportChunk
{
    public Guid ExportId { get; set; }

    public int Sequence { get; set; }

    public byte[] Data { get; set; } = [];
}
