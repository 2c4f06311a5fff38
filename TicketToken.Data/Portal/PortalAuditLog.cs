using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using TicketToken.Data.Tenancy;

namespace TicketToken.Data.Portal;

/// <summary>One audited write: what happened to which row, the state before and after (JSON text), and why.</summary>
public sealed record PortalAuditRecord(
    string Action, string Table, string Key, Guid? TenantId, string? Before, string? After, string Reason, DateTimeOffset At);

/// <summary>
/// Appends a <c>portal.audit_log</c> row on the caller's connection and inside its open transaction, so the record
/// commits or rolls back with the write it describes (the platform tables and the portal schema share the database).
/// </summary>
public static class PortalAuditLog
{
    /// <summary>The longest reason stored (the column's length); a longer one is cut, never refused after the write.</summary>
    public const int MaxReasonLength = 1000;

    private const string InsertSql = """
        INSERT INTO portal.audit_log (occurred_at, user_id, user_name, action, table_name, record_key, tenant_id, before, after, reason, ip_address)
        VALUES (@at, @user, @name, @action, @table, @key, @tenant, CAST(@before AS jsonb), CAST(@after AS jsonb), @reason, @ip)
        """;

    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PortalActorInfo actor, PortalAuditRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(record);
        await using var cmd = new NpgsqlCommand(InsertSql, connection, transaction);
        var reason = record.Reason.Trim();
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = record.At });
        cmd.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Uuid) { Value = (object?)actor.UserId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = actor.Name });
        cmd.Parameters.Add(new NpgsqlParameter("action", NpgsqlDbType.Text) { Value = record.Action });
        cmd.Parameters.Add(new NpgsqlParameter("table", NpgsqlDbType.Text) { Value = record.Table });
        cmd.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = record.Key });
        cmd.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = (object?)record.TenantId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.Text) { Value = (object?)record.Before ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)record.After ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Text) { Value = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason });
        cmd.Parameters.Add(new NpgsqlParameter("ip", NpgsqlDbType.Text) { Value = (object?)actor.IpAddress ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The same, inside the transaction an EF context has open (for example one of <c>PlatformSession</c>).</summary>
    public static Task AppendAsync(this DatabaseFacade database, PortalActorInfo actor, PortalAuditRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        var transaction = database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("An audit row is written inside the transaction of the write it records; none is open.");
        return AppendAsync((NpgsqlConnection)database.GetDbConnection(), (NpgsqlTransaction)transaction, actor, record, ct);
    }
}
