using System.Data;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Explorer;

/// <summary>A row as a form edits it: its key, its version (<c>xmin</c>), its tenant and its values as form text.</summary>
public sealed record ExplorerEditable(string Key, string Xmin, Guid? TenantId, bool Deleted, IReadOnlyDictionary<string, string?> Values);

public enum WriteStatus
{
    Saved,

    /// <summary>The input breaks a rule; <see cref="ExplorerWriteResult.FieldErrors"/> says where. Nothing was written.</summary>
    Invalid,

    /// <summary>Someone changed the row since it was loaded; <see cref="ExplorerWriteResult.Current"/> is their version.</summary>
    Conflict,

    /// <summary>No such row that this user may change (deleted meanwhile, another tenant's or another venue's).</summary>
    NotFound,

    /// <summary>The database refused the write (or the audit row); nothing was written.</summary>
    Failed,
}

public sealed record ExplorerWriteResult(WriteStatus Status, string Message)
{
    public const string ReasonField = "@reason";

    public string? Key { get; init; }

    public IReadOnlyDictionary<string, string> FieldErrors { get; init; } = new Dictionary<string, string>();

    /// <summary>The row as it is now: after the save, or the other person's version on a conflict.</summary>
    public ExplorerEditable? Current { get; init; }
}

public sealed record ExplorerOption(string Key, string Label);

/// <summary>
/// Creates, edits, soft-deletes, restores and deletes platform rows for the explorer. Every write checks
/// <see cref="ExplorerWritePolicy"/> on the server, runs under a tenant context (the row's own tenant for staff, the venue
/// manager's tenant and venues for them: row-level security still applies, see docs/adr/0005), uses optimistic concurrency on
/// <c>xmin</c>, and appends its portal audit row on the same connection and in the same transaction: both commit or neither.
/// </summary>
public sealed partial class ExplorerWriter(
    IDbContextFactory<PlatformDbContext> platform,
    IDbContextFactory<PortalDbContext> portal,
    CrossTenantAccess crossTenant,
    ExplorerRlsFacts rls,
    ExplorerCatalog catalog,
    ExplorerData data,
    TimeProvider clock,
    ILogger<ExplorerWriter> logger)
{
    public const string CreateAction = "explorer.create";
    public const string UpdateAction = "explorer.update";
    public const string SoftDeleteAction = "explorer.soft_delete";
    public const string RestoreAction = "explorer.restore";
    public const string DeleteAction = "explorer.delete";
    public const int MinimumReasonLength = 5;

    private readonly IDbContextFactory<PortalDbContext> portalContexts = portal;
    private readonly CrossTenantAccess crossTenantAccess = crossTenant;
    private readonly ExplorerRlsFacts rlsFacts = rls;
    private readonly TimeProvider time = clock;

    private const string NothingWritten = "Nothing was changed; your input is kept.";

    private static readonly string[] LabelColumns =
        ["name", "title", "display_name", "email", "order_number", "ticket_number", "code", "slug", "tier_name", "policy_name", "subject"];

    public IReadOnlyList<ExplorerField> Fields(ExplorerTable table) => ExplorerForm.Fields(table, catalog);

    /// <summary>The row for an edit form, as this user may change it; null when there is none they may change.</summary>
    public Task<ExplorerEditable?> LoadAsync(ExplorerTable table, string key, ClaimsPrincipal user, CancellationToken ct) =>
        LoadAsync(table, key, ExplorerAction.Update, user, ct);

    /// <summary>
    /// The row, with its version (<c>xmin</c>), for a page that offers <paramref name="action"/> on it, so the write can
    /// refuse a row that changed after the user saw it; null when there is no row this user may change.
    /// </summary>
    public async Task<ExplorerEditable?> LoadAsync(ExplorerTable table, string key, ExplorerAction action, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        Demand(user, table, action);
        await using var session = await OpenAsync(table, user, key, null, ct);
        return session.Found ? await session.SelectAsync(key, forUpdate: false, ct) : null;
    }

    public async Task<ExplorerWriteResult> CreateAsync(
        ExplorerTable table, IReadOnlyDictionary<string, string?> values, string? reason, ClaimsPrincipal user, PortalActorInfo actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(actor);
        Demand(user, table, ExplorerAction.Create);
        var fields = Fields(table);
        var errors = ExplorerForm.ValidateAll(fields, values, creating: true);
        var scope = ExplorerWritePolicy.WriteScope(user, table);
        Guid? tenant = null;
        if (table.Column("tenant_id") is not null && scope == ExplorerScope.AllTenants)
        {
            // Staff choose the tenant the new row belongs to; it is then written under that tenant's context.
            errors.Remove("tenant_id");
            if (Guid.TryParse(values.GetValueOrDefault("tenant_id")?.Trim(), out var chosen))
            {
                tenant = chosen;
            }
            else
            {
                errors["tenant_id"] = "Choose the tenant this row belongs to.";
            }
        }
        else
        {
            errors.Remove("tenant_id");
        }

        CheckReason(reason, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        try
        {
            await using var session = await OpenAsync(table, user, null, tenant, ct);
            var columns = new List<string>();
            var expressions = new List<string>();
            await using var cmd = session.Command("");
            foreach (var field in fields.Where(f => f.OnCreate == FieldRole.Editable && f.Name != "tenant_id"))
            {
                var text = ExplorerForm.ToDatabaseText(field, values.GetValueOrDefault(field.Name));
                if (text is null)
                {
                    continue;
                }

                columns.Add(Quote(field.Name));
                expressions.Add(Parameter(cmd, field, text));
            }

            if (table.Column("tenant_id") is not null && session.Tenant is { } t)
            {
                columns.Add(Quote("tenant_id"));
                cmd.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = t });
                expressions.Add("@tenant");
            }

            foreach (var stamp in new[] { "created_at", "updated_at" })
            {
                if (fields.FirstOrDefault(f => f.Name == stamp) is { HasDefault: false, Input: InputKind.Timestamp })
                {
                    columns.Add(Quote(stamp));
                    expressions.Add("now()");
                }
            }

            var key = table.Key[0];
            cmd.CommandText = $"""
                INSERT INTO {TableSql(table)} AS t ({string.Join(", ", columns)}) VALUES ({string.Join(", ", expressions)})
                RETURNING t.xmin::text, to_jsonb(t) - CAST(@hidden AS text[]), {session.ScopeCondition("t")}
                """;
            if (columns.Count == 0)
            {
                cmd.CommandText = $"INSERT INTO {TableSql(table)} AS t DEFAULT VALUES RETURNING t.xmin::text, to_jsonb(t) - CAST(@hidden AS text[]), {session.ScopeCondition("t")}";
            }

            session.AddCommon(cmd);
            var (xmin, json, inScope) = await ReadRowAsync(cmd, ct) ?? throw new InvalidOperationException("INSERT returned no row.");
            if (!inScope)
            {
                throw new ExplorerAccessDeniedException("The new row would not belong to one of your venues.");
            }

            var after = session.ToEditable(xmin, json);
            await session.AuditAsync(CreateAction, after.Key, after.TenantId, null, json, reason!, actor, ct);
            await session.CommitAsync(ct);
            return new ExplorerWriteResult(WriteStatus.Saved, $"Created {table.Name} {after.Key}.") { Key = after.Key, Current = after };
        }
        catch (PostgresException ex)
        {
            return Refused(ex, table, "create");
        }
    }

    /// <summary>
    /// Saves the changed fields with <c>UPDATE … WHERE key = @id AND xmin = @xmin</c>. When the row changed since
    /// <paramref name="loaded"/> was read, nothing is written and the result carries the current version.
    /// </summary>
    public async Task<ExplorerWriteResult> UpdateAsync(
        ExplorerTable table, ExplorerEditable loaded, IReadOnlyDictionary<string, string?> values, string? reason,
        ClaimsPrincipal user, PortalActorInfo actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(actor);
        Demand(user, table, ExplorerAction.Update);
        var fields = Fields(table);
        var errors = ExplorerForm.ValidateAll(fields, values, creating: false, loaded.Values);
        CheckReason(reason, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var changed = fields
            .Where(f => f.OnUpdate == FieldRole.Editable
                && !string.Equals(values.GetValueOrDefault(f.Name), loaded.Values.GetValueOrDefault(f.Name), StringComparison.Ordinal))
            .ToList();
        if (changed.Count == 0)
        {
            return new ExplorerWriteResult(WriteStatus.Invalid, "Nothing to save: no field was changed.");
        }

        try
        {
            await using var session = await OpenAsync(table, user, loaded.Key, null, ct);
            var before = session.Found ? await session.SelectAsync(loaded.Key, forUpdate: true, ct) : null;
            if (before is null)
            {
                return Gone(table, loaded.Key);
            }

            await using var cmd = session.Command("");
            var sets = changed.Select(f => $"{Quote(f.Name)} = {Parameter(cmd, f, ExplorerForm.ToDatabaseText(f, values.GetValueOrDefault(f.Name)))}").ToList();
            if (fields.FirstOrDefault(f => f.Name == "updated_at") is { Input: InputKind.Timestamp })
            {
                sets.Add("\"updated_at\" = now()");
            }

            cmd.CommandText = $"""
                UPDATE {TableSql(table)} AS t SET {string.Join(", ", sets)}
                WHERE t.{Quote(table.Key[0].Name)} = {session.KeyParameter(cmd, loaded.Key)} AND t.xmin = CAST(@xmin AS xid) AND {session.ScopeCondition("t")}
                RETURNING t.xmin::text, to_jsonb(t) - CAST(@hidden AS text[]), {session.ScopeCondition("t")}
                """;
            cmd.Parameters.Add(new NpgsqlParameter("xmin", NpgsqlDbType.Text) { Value = loaded.Xmin });
            session.AddCommon(cmd);
            if (await ReadRowAsync(cmd, ct) is not var (xmin, json, inScope))
            {
                return new ExplorerWriteResult(WriteStatus.Conflict,
                    "Someone else changed this row after you opened it. Nothing was saved: compare the versions below.")
                {
                    Key = loaded.Key,
                    Current = before,
                };
            }

            if (!inScope)
            {
                throw new ExplorerAccessDeniedException("The row would no longer belong to one of your venues.");
            }

            var after = session.ToEditable(xmin, json);
            await session.AuditAsync(UpdateAction, loaded.Key, after.TenantId, session.LastJson, json, reason!, actor, ct);
            await session.CommitAsync(ct);
            return new ExplorerWriteResult(WriteStatus.Saved, $"Saved {table.Name} {loaded.Key}.") { Key = loaded.Key, Current = after };
        }
        catch (PostgresException ex)
        {
            return Refused(ex, table, "save");
        }
    }

    /// <summary>
    /// Soft delete: sets <c>deleted_at</c> (tables that have it). <paramref name="version"/> is the <c>xmin</c> of the row
    /// the user looked at (<see cref="LoadAsync"/>); when the row changed since, nothing is written and the result is a
    /// <see cref="WriteStatus.Conflict"/> carrying the current version. Null skips that check.
    /// </summary>
    public Task<ExplorerWriteResult> SoftDeleteAsync(
        ExplorerTable table, string key, string? version, string? reason, ClaimsPrincipal user, PortalActorInfo actor, CancellationToken ct) =>
        SetDeletedAsync(table, key, version, reason, user, actor, delete: true, ct);

    /// <summary>Clears <c>deleted_at</c>; <paramref name="version"/> as for <see cref="SoftDeleteAsync"/>.</summary>
    public Task<ExplorerWriteResult> RestoreAsync(
        ExplorerTable table, string key, string? version, string? reason, ClaimsPrincipal user, PortalActorInfo actor, CancellationToken ct) =>
        SetDeletedAsync(table, key, version, reason, user, actor, delete: false, ct);

    private async Task<ExplorerWriteResult> SetDeletedAsync(
        ExplorerTable table, string key, string? version, string? reason, ClaimsPrincipal user, PortalActorInfo actor, bool delete, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(actor);
        Demand(user, table, delete ? ExplorerAction.Delete : ExplorerAction.Restore);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        CheckReason(reason, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        try
        {
            await using var session = await OpenAsync(table, user, key, null, ct);
            var before = session.Found ? await session.SelectAsync(key, forUpdate: true, ct) : null;
            if (before is null)
            {
                return Gone(table, key);
            }

            if (Changed(before, version, delete ? "deleted" : "restored") is { } conflict)
            {
                return conflict;
            }

            if (before.Deleted == delete)
            {
                return new ExplorerWriteResult(WriteStatus.Invalid, delete ? "This row is already deleted." : "This row is not deleted.") { Key = key, Current = before };
            }

            await using var cmd = session.Command("");
            var stamp = table.Column("updated_at") is { Kind: ColumnKind.Date } ? ", \"updated_at\" = now()" : "";
            cmd.CommandText = $"""
                UPDATE {TableSql(table)} AS t SET "deleted_at" = {(delete ? "now()" : "NULL")}{stamp}
                WHERE t.{Quote(table.Key[0].Name)} = {session.KeyParameter(cmd, key)} AND {session.ScopeCondition("t")}
                RETURNING t.xmin::text, to_jsonb(t) - CAST(@hidden AS text[]), true
                """;
            session.AddCommon(cmd);
            var (xmin, json, _) = await ReadRowAsync(cmd, ct) ?? throw new InvalidOperationException("The locked row was not updated.");
            var after = session.ToEditable(xmin, json);
            await session.AuditAsync(delete ? SoftDeleteAction : RestoreAction, key, after.TenantId, session.LastJson, json, reason!, actor, ct);
            await session.CommitAsync(ct);
            return new ExplorerWriteResult(WriteStatus.Saved, delete ? $"Deleted {table.Name} {key}; it can be restored." : $"Restored {table.Name} {key}.")
            {
                Key = key,
                Current = after,
            };
        }
        catch (PostgresException ex)
        {
            return Refused(ex, table, delete ? "delete" : "restore");
        }
    }

    /// <summary>
    /// Removes the row for good: Administrator only, confirmed by typing its key; <paramref name="version"/> as for
    /// <see cref="SoftDeleteAsync"/>, so a row someone changed after the administrator read it is not deleted unseen.
    /// </summary>
    public async Task<ExplorerWriteResult> HardDeleteAsync(
        ExplorerTable table, string key, string? version, string? typedKey, string? reason, ClaimsPrincipal user, PortalActorInfo actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(actor);
        Demand(user, table, ExplorerAction.HardDelete);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.Equals(typedKey?.Trim(), key, StringComparison.OrdinalIgnoreCase))
        {
            errors["@confirm"] = "Type the row's key exactly to confirm.";
        }

        CheckReason(reason, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        try
        {
            await using var session = await OpenAsync(table, user, key, null, ct);
            var before = session.Found ? await session.SelectAsync(key, forUpdate: true, ct) : null;
            if (before is null)
            {
                return Gone(table, key);
            }

            if (Changed(before, version, "deleted") is { } conflict)
            {
                return conflict;
            }

            await using var cmd = session.Command("");
            cmd.CommandText = $"DELETE FROM {TableSql(table)} AS t WHERE t.{Quote(table.Key[0].Name)} = {session.KeyParameter(cmd, key)}";
            session.AddCommon(cmd);
            await cmd.ExecuteNonQueryAsync(ct);
            await session.AuditAsync(DeleteAction, key, before.TenantId, session.LastJson, null, reason!, actor, ct);
            await session.CommitAsync(ct);
            return new ExplorerWriteResult(WriteStatus.Saved, $"Deleted {table.Name} {key} permanently.") { Key = key };
        }
        catch (PostgresException ex)
        {
            return Refused(ex, table, "delete");
        }
    }

    /// <summary>The refusal when the locked row is no longer the version the user saw (null when it is, or none was given).</summary>
    private static ExplorerWriteResult? Changed(ExplorerEditable current, string? version, string verb) =>
        version is null || string.Equals(current.Xmin, version, StringComparison.Ordinal)
            ? null
            : new ExplorerWriteResult(WriteStatus.Conflict,
                $"Someone else changed this row after you opened it, so it was not {verb}. Check the current version and try again.")
            {
                Key = current.Key,
                Current = current,
            };

    /// <summary>Rows of a parent table for a foreign-key picker, searched as the grid's quick search would, within what the user may read.</summary>
    public async Task<IReadOnlyList<ExplorerOption>> SearchParentAsync(ExplorerTable parent, string? text, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(user);
        if (ExplorerAccess.ScopeFor(user, parent) == ExplorerScope.None || parent.Key.Count != 1)
        {
            return [];
        }

        var label = LabelColumns.Select(parent.Column).FirstOrDefault(c => c is { IsSensitive: false });
        var state = new GridState { Search = string.IsNullOrWhiteSpace(text) ? null : text.Trim(), PageSize = 20 };
        var result = await data.LoadPageAsync(parent, state, user, ct);
        return [.. result.Rows.Select(r => new ExplorerOption(r.Key,
            label is not null && r.Cells[label.Name].Text is { } l ? $"{l} · {r.Key}" : r.Key))];
    }

    public static bool IsCancellation(Exception ex) => ex is OperationCanceledException;

    private static void Demand(ClaimsPrincipal user, ExplorerTable table, ExplorerAction action)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!ExplorerWritePolicy.Allows(user, table, action))
        {
            var verb = action switch
            {
                ExplorerAction.Create => "add rows to",
                ExplorerAction.Update => "change",
                ExplorerAction.Delete => "delete rows of",
                ExplorerAction.Restore => "restore rows of",
                ExplorerAction.HardDelete => "permanently delete rows of",
                _ => "read",
            };
            throw new ExplorerAccessDeniedException($"Your roles don't allow you to {verb} {table.Service}/{table.Name}.");
        }
    }

    private static void CheckReason(string? reason, Dictionary<string, string> errors)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < MinimumReasonLength)
        {
            errors[ExplorerWriteResult.ReasonField] = $"Say why (at least {MinimumReasonLength} characters); it goes into the audit log.";
        }
        else if (reason.Trim().Length > 1000)
        {
            errors[ExplorerWriteResult.ReasonField] = "At most 1,000 characters.";
        }
    }

    private static ExplorerWriteResult Invalid(Dictionary<string, string> errors) =>
        new(WriteStatus.Invalid, $"Please correct the marked field(s). {NothingWritten}") { FieldErrors = errors };

    private static ExplorerWriteResult Gone(ExplorerTable table, string key) =>
        new(WriteStatus.NotFound, $"No row of {table.Name} with key '{key}' that you may change: it may have been deleted, or it is not yours. Nothing was changed.") { Key = key };

    private ExplorerWriteResult Refused(PostgresException ex, ExplorerTable table, string verb)
    {
        LogRefused(logger, table.Name, verb, ex.SqlState, ex.ConstraintName);
        var field = ex.ColumnName ?? FieldOfConstraint(table, ex.ConstraintName);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        string message;
        switch (ex.SqlState)
        {
            case PostgresErrorCodes.CheckViolation:
                message = $"The database refused the values: rule '{ex.ConstraintName}' is not met. {NothingWritten}";
                if (field is not null)
                {
                    errors[field] = $"Breaks the rule '{ex.ConstraintName}'.";
                }

                break;
            case PostgresErrorCodes.UniqueViolation:
                message = $"Another row already has this value (unique rule '{ex.ConstraintName}'). {NothingWritten}";
                if (field is not null)
                {
                    errors[field] = "Already used by another row.";
                }

                break;
            case PostgresErrorCodes.ForeignKeyViolation when verb == "delete":
                message = $"Rows of {ex.TableName ?? "another table"} still point at this row ('{ex.ConstraintName}'): delete or reassign them first. Nothing was deleted.";
                break;
            case PostgresErrorCodes.ForeignKeyViolation:
                message = $"A referenced row does not exist, or not in this row's tenant ('{ex.ConstraintName}'). {NothingWritten}";
                if (field is not null)
                {
                    errors[field] = "No such row.";
                }

                break;
            case PostgresErrorCodes.NotNullViolation:
                message = $"{ex.ColumnName} is required. {NothingWritten}";
                if (ex.ColumnName is not null)
                {
                    errors[ex.ColumnName] = "Required.";
                }

                break;
            case PostgresErrorCodes.InsufficientPrivilege:
                message = $"The database's row-level security refused this row for its tenant. {NothingWritten}";
                break;
            case var s when s.StartsWith("22", StringComparison.Ordinal):
                message = $"A value was not accepted: {ex.MessageText}. {NothingWritten}";
                break;
            default:
                message = $"The change could not be {(verb == "save" ? "saved" : verb + "d")} right now (database error {ex.SqlState}). Nothing was written, including the audit entry; your input is kept.";
                break;
        }

        return new ExplorerWriteResult(WriteStatus.Failed, message) { FieldErrors = errors };
    }

    private static string? FieldOfConstraint(ExplorerTable table, string? constraint) =>
        constraint is null
            ? null
            : table.Columns.Where(c => constraint.Contains(c.Name, StringComparison.Ordinal)).OrderByDescending(c => c.Name.Length).FirstOrDefault()?.Name;

    [LoggerMessage(Level = LogLevel.Information, Message = "Explorer {Verb} on {Table} refused by the database: {SqlState} {Constraint}")]
    private static partial void LogRefused(ILogger logger, string table, string verb, string sqlState, string? constraint);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string TableSql(ExplorerTable table) => $"{Quote(table.EntityType.GetSchema() ?? "public")}.{Quote(table.Name)}";

    /// <summary>A typed value as a parameter sent as text and cast to the column's type by PostgreSQL.</summary>
    private static string Parameter(NpgsqlCommand cmd, ExplorerField field, string? text)
    {
        var name = $"p{cmd.Parameters.Count}";
        cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)text ?? DBNull.Value });
        return field.IsArray
            ? $"CASE WHEN @{name} IS NULL THEN NULL ELSE CAST(ARRAY(SELECT jsonb_array_elements_text(CAST(@{name} AS jsonb))) AS {field.SqlType}) END"
            : $"CAST(@{name} AS {field.SqlType})";
    }

    private static async Task<(string Xmin, string Json, bool InScope)?> ReadRowAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return (reader.GetString(0), reader.GetString(1), reader.GetBoolean(2));
    }

    private async Task<Session> OpenAsync(ExplorerTable table, ClaimsPrincipal user, string? key, Guid? tenantForNewRow, CancellationToken ct)
    {
        var db = await platform.CreateDbContextAsync(ct);
        try
        {
            await db.Database.OpenConnectionAsync(ct);
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            var tx = await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var session = new Session(this, db, conn, tx, table);
            await session.EnterAsync(user, key, tenantForNewRow, ct);
            return session;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>One connection and transaction for a write and its audit row, with the tenant context set.</summary>
    private sealed class Session(ExplorerWriter owner, PlatformDbContext db, NpgsqlConnection connection, NpgsqlTransaction transaction, ExplorerTable table)
        : IAsyncDisposable
    {
        private readonly string[] hidden = [.. table.Columns.Where(c => c.IsSensitive || c.Kind == ColumnKind.SearchVector).Select(c => c.Name)];
        private Guid[]? venues;

        public Guid? Tenant { get; private set; }

        /// <summary>The row named by the key exists in the user's reach (always true for new rows).</summary>
        public bool Found { get; private set; } = true;

        /// <summary>The JSON of the row last selected (the "before" of a write).</summary>
        public string? LastJson { get; private set; }

        public NpgsqlCommand Command(string sql) => new(sql, connection, transaction);

        public async Task EnterAsync(ClaimsPrincipal user, string? key, Guid? tenantForNewRow, CancellationToken ct)
        {
            switch (ExplorerWritePolicy.WriteScope(user, table))
            {
                case ExplorerScope.OwnVenues:
                    {
                        var userId = Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
                        await using var p = await owner.portalContexts.CreateDbContextAsync(ct);
                        var links = await p.UserVenues.AsNoTracking().Where(v => v.UserId == userId).OrderBy(v => v.TenantId).ToListAsync(ct);
                        if (links.Count == 0)
                        {
                            throw new ExplorerAccessDeniedException("Your account is not linked to any venue yet. Ask an administrator to link your venues.");
                        }

                        // As for reads: a venue manager works inside one tenant, the first of their links.
                        Tenant = links[0].TenantId;
                        venues = [.. links.Where(l => l.TenantId == Tenant).Select(l => l.VenueId)];
                        await SetAsync(Tenant, systemUser: false, ct);
                        break;
                    }

                case ExplorerScope.AllTenants when table.Column("tenant_id") is null:
                    // A table without tenants: the platform's own system context, as its services write it.
                    await SetAsync(null, systemUser: true, ct);
                    break;
                case ExplorerScope.AllTenants when key is null:
                    Tenant = tenantForNewRow;
                    await SetAsync(Tenant, systemUser: Tenant is null, ct);
                    break;
                case ExplorerScope.AllTenants:
                    {
                        // Staff write under the row's own tenant (row-level security still checks the write), found first.
                        var (found, tenant) = await RowTenantAsync(key, ct);
                        Found = found;
                        Tenant = tenant;
                        await SetAsync(tenant, systemUser: tenant is null, ct);
                        break;
                    }

                default:
                    throw new ExplorerAccessDeniedException($"Your roles don't allow writing {table.Service}/{table.Name}.");
            }
        }

        private async Task<(bool Found, Guid? Tenant)> RowTenantAsync(string key, CancellationToken ct)
        {
            var keyField = owner.Fields(table).First(f => f.Column.IsKey);
            if (ExplorerForm.Validate(keyField, key, creating: false) is not null)
            {
                return (false, null);
            }

            if (await owner.rlsFacts.IgnoresSystemUserAsync(table.Name, ct))
            {
                // The auth tables ignore app.is_system_user: their tenant is read (and recorded) through the staff read connection.
                var sql = $"SELECT tenant_id AS \"Value\" FROM {TableSql(table)} WHERE {Quote(keyField.Name)} = CAST({{0}} AS {keyField.SqlType})";
                var found = await owner.crossTenantAccess.StaffReadAsync($"explorer write: tenant of {table.Service}/{table.Name}/{key}",
                    (d, c) => d.Database.SqlQueryRaw<Guid?>(sql, key.Trim()).ToListAsync(c), ct);
                return found.Count == 0 ? (false, null) : (true, found[0]);
            }

            await SetAsync(null, systemUser: true, ct);
            await using var cmd = Command("");
            cmd.CommandText = $"SELECT tenant_id FROM {TableSql(table)} AS t WHERE t.{Quote(keyField.Name)} = {KeyParameter(cmd, key)}";
            var rows = new List<Guid?>();
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    rows.Add(reader.IsDBNull(0) ? null : reader.GetGuid(0));
                }
            }

            return rows.Count == 0 ? (false, null) : (true, rows[0]);
        }

        private async Task SetAsync(Guid? tenant, bool systemUser, CancellationToken ct)
        {
            await using var cmd = Command("SELECT set_config('app.current_tenant_id', @t, true), set_config('app.is_system_user', @s, true)");
            cmd.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Text) { Value = (tenant ?? Guid.Empty).ToString() });
            cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Text) { Value = systemUser ? "true" : "false" });
            await cmd.ExecuteNonQueryAsync(ct);
        }

        /// <summary>The SQL that holds a venue manager to their venues' rows (true for staff).</summary>
        public string ScopeCondition(string alias)
        {
            if (venues is null)
            {
                return "true";
            }

            var column = ExplorerAccess.VenueColumn(table) ?? throw new ExplorerAccessDeniedException($"{table.Name} has no venue to scope it by.");
            return column == "event_id"
                ? $"({alias}.\"event_id\" IN (SELECT e.id FROM public.events e WHERE e.venue_id = ANY(@venues)))"
                : $"({alias}.{Quote(column)} = ANY(@venues))";
        }

        public void AddCommon(NpgsqlCommand cmd)
        {
            cmd.Parameters.Add(new NpgsqlParameter("hidden", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = hidden });
            if (venues is not null)
            {
                cmd.Parameters.Add(new NpgsqlParameter("venues", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = venues });
            }
        }

        public string KeyParameter(NpgsqlCommand cmd, string key)
        {
            var keyField = owner.Fields(table).First(f => f.Column.IsKey);
            cmd.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = key.Trim() });
            return $"CAST(@key AS {keyField.SqlType})";
        }

        public async Task<ExplorerEditable?> SelectAsync(string key, bool forUpdate, CancellationToken ct)
        {
            var keyField = owner.Fields(table).First(f => f.Column.IsKey);
            if (ExplorerForm.Validate(keyField, key, creating: false) is not null)
            {
                return null;
            }

            await using var cmd = Command("");
            cmd.CommandText = $"""
                SELECT t.xmin::text, to_jsonb(t) - CAST(@hidden AS text[]), true FROM {TableSql(table)} AS t
                WHERE t.{Quote(keyField.Name)} = {KeyParameter(cmd, key)} AND {ScopeCondition("t")}{(forUpdate ? " FOR UPDATE" : "")}
                """;
            AddCommon(cmd);
            if (await ReadRowAsync(cmd, ct) is not var (xmin, json, _))
            {
                return null;
            }

            LastJson = json;
            return ToEditable(xmin, json);
        }

        public ExplorerEditable ToEditable(string xmin, string json)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var field in owner.Fields(table).Where(f => f.OnUpdate != FieldRole.Hidden))
            {
                values[field.Name] = root.TryGetProperty(field.Name, out var v) ? ExplorerForm.FromJson(field, v) : null;
            }

            var key = values[table.Key[0].Name] ?? "";
            Guid? tenant = values.GetValueOrDefault("tenant_id") is { } t && Guid.TryParse(t, out var g) ? g : null;
            var deleted = root.TryGetProperty("deleted_at", out var d) && d.ValueKind != JsonValueKind.Null;
            return new ExplorerEditable(key, xmin, tenant, deleted, values);
        }

        /// <summary>The audit row, on this connection and in this transaction: it commits or rolls back with the write.</summary>
        public Task AuditAsync(string action, string key, Guid? tenant, string? before, string? after, string reason, PortalActorInfo actor, CancellationToken ct) =>
            PortalAuditLog.AppendAsync(connection, transaction, actor, new PortalAuditRecord(action, table.Name, key, tenant, before, after, reason, owner.time.GetUtcNow()), ct);

        public Task CommitAsync(CancellationToken ct) => transaction.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await db.DisposeAsync();
        }
    }
}
