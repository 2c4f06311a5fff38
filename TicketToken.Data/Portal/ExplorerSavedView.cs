namespace TicketToken.Data.Portal;

/// <summary>
/// A named explorer grid state (the URL query) saved by one user for one table, optionally shared with a portal role.
/// A shared view only carries the filters and columns: whoever opens it still reads under their own permissions.
/// </summary>
public class ExplorerSavedView
{
    public const int NameMaxLength = 100;
    public const int QueryMaxLength = 4000;

    public Guid Id { get; set; }

    public Guid OwnerId { get; set; }

    public string Service { get; set; } = "";

    public string TableName { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>The grid state as a URL query (<c>?sort=…&amp;f.x=…</c>), without paging position.</summary>
    public string Query { get; set; } = "";

    /// <summary>A portal role whose members may also see and open this view; null: only the owner.</summary>
    public string? SharedWithRole { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public PortalUser? Owner { get; set; }
}
