using System.Text.Json;

namespace TicketToken.Data.Portal;

/// <summary>One action taken through the portal: who, when, what, before and after.</summary>
public class PortalAuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public Guid? UserId { get; set; }

    public string UserName { get; set; } = "";

    /// <summary>A dotted name such as <c>auth.sign_in</c>, <c>explorer.update</c>, <c>data.cross_tenant_read</c>.</summary>
    public string Action { get; set; } = "";

    public string? TableName { get; set; }

    public string? RecordKey { get; set; }

    public Guid? TenantId { get; set; }

    public JsonDocument? Before { get; set; }

    public JsonDocument? After { get; set; }

    public string? Reason { get; set; }

    public string? IpAddress { get; set; }
}
