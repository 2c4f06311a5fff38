using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using NpgsqlTypes;
using TicketToken.Data;

namespace TicketToken.Portal.Explorer;

/// <summary>
/// What the explorer knows about every platform table, read once from the EF model (never a page per table):
/// services, tables, columns with their kinds and allowed values, keys, relations both ways, sensitive columns.
/// </summary>
public sealed partial class ExplorerCatalog
{
    private readonly Dictionary<(string Service, string Table), ExplorerTable> byName;

    public ExplorerCatalog(IDbContextFactory<PlatformDbContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        using var db = contexts.CreateDbContext();
        // The allowed values of status columns come from the database's own CHECK constraints (the compiled model
        // keeps none, and the platform's database is the authority in existing-database mode).
        var checks = DatabaseChecks(db);
        var tables = db.Model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null && !e.IsOwned())
            .Select(e => BuildTable(e, checks.GetValueOrDefault(e.GetTableName()!) ?? []))
            .ToList();
        byName = tables.ToDictionary(t => (t.Service, t.Name));
        var byEntity = tables.ToDictionary(t => t.EntityType);
        foreach (var table in tables)
        {
            foreach (var fk in table.EntityType.GetForeignKeys())
            {
                if (!byEntity.TryGetValue(fk.PrincipalEntityType, out var parent))
                {
                    continue;
                }

                var relation = new ExplorerRelation(parent, table, fk);
                table.Parents.Add(relation);
                parent.Children.Add(relation);
            }
        }

        Services = tables.GroupBy(t => t.Service)
            .Select(g => new ExplorerService(g.Key, ServiceTitle(g.Key), [.. g.OrderBy(t => t.Name, StringComparer.Ordinal)]))
            .OrderBy(s => s.Slug, StringComparer.Ordinal)
            .ToList();
    }

    public IReadOnlyList<ExplorerService> Services { get; }

    public IEnumerable<ExplorerTable> Tables => Services.SelectMany(s => s.Tables);

    public ExplorerTable? Find(string service, string table) => byName.GetValueOrDefault((service, table));

    /// <summary>Columns that name a core table by convention, though the platform declares no foreign key for them.</summary>
    public ExplorerTable? Conventional(string column) => column switch
    {
        "tenant_id" => Find("auth", "tenants"),
        "user_id" => Find("auth", "users"),
        "venue_id" => Find("venue", "venues"),
        "event_id" => Find("event", "events"),
        "order_id" => Find("order", "orders"),
        "ticket_id" => Find("ticket", "tickets"),
        _ => null,
    };

    private static Dictionary<string, List<string>> DatabaseChecks(PlatformDbContext db)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        try
        {
            var rows = db.Database.SqlQuery<CheckRow>(
                $"SELECT c.relname AS table_name, pg_get_constraintdef(k.oid) AS definition FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'c' AND n.nspname = 'public'")
                .ToList();
            foreach (var row in rows)
            {
                if (!result.TryGetValue(row.TableName, out var list))
                {
                    result[row.TableName] = list = [];
                }

                list.Add(row.Definition);
            }
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException || ex.InnerException is Npgsql.NpgsqlException)
        {
            // No database yet (or the retry strategy gave up): filters still work, choice columns are edited as text.
        }

        return result;
    }

    internal sealed record CheckRow(string TableName, string Definition);

    /// <summary>Password hashes, MFA secrets, tokens, private keys, tax ids, bank account numbers and the like.</summary>
    public static bool IsSensitive(string column) =>
        (SensitiveName().IsMatch(column) && !NotSensitiveSuffix().IsMatch(column))
        // A tax id is the secret itself, though its name ends like a reference.
        || column.EndsWith("tax_id", StringComparison.Ordinal);

    [GeneratedRegex("password|secret|token|private_key|mfa|totp|tax_id|tin_|ssn|account_number|routing_number|api_key|encrypt|credential|card_number|iban|mnemonic|seed_phrase|cvv|date_of_birth|_hash$|^hash|key_hash")]
    private static partial Regex SensitiveName();

    // Timestamps, counters, flags and kinds about a secret are not the secret.
    [GeneratedRegex("(_at|_expires|_count|_type|_version|_available|_enabled|_changed_at|_id|_mint)$|^last_")]
    private static partial Regex NotSensitiveSuffix();

    private static ExplorerTable BuildTable(IEntityType entity, List<string> checks)
    {
        var tableName = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(tableName, entity.GetSchema());
        var service = ServiceSlug(entity.ClrType.Namespace!);
        var key = entity.FindPrimaryKey();
        // In the table's own column order (the entity declares its properties in that order), not EF's key-first alphabetical one.
        var declared = entity.ClrType.GetProperties().Select((p, i) => (p.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var columns = entity.GetProperties()
            .Where(p => p.PropertyInfo is not null && p.GetColumnName(store) is not null)
            .OrderBy(p => declared.GetValueOrDefault(p.Name, int.MaxValue))
            .Select(p => BuildColumn(p, store, checks, key))
            .ToList();
        return new ExplorerTable(service, tableName, entity, columns);
    }

    private static ExplorerColumn BuildColumn(IProperty property, StoreObjectIdentifier store, List<string> checks, IKey? key)
    {
        var name = property.GetColumnName(store)!;
        var clr = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        var kind = KindOf(clr, name);
        IReadOnlyList<string> allowed = clr.IsEnum
            ? [.. Enum.GetNames(clr)]
            : kind == ColumnKind.Text ? AllowedValues(name, checks) : [];
        if (allowed.Count > 0 && kind == ColumnKind.Text)
        {
            kind = ColumnKind.Choice;
        }

        return new ExplorerColumn(
            name,
            property.PropertyInfo!,
            clr,
            kind,
            property.GetColumnType(store),
            property.IsColumnNullable(store),
            property.GetMaxLength(),
            allowed,
            key?.Properties.Contains(property) == true,
            IsSensitive(name));
    }

    private static ColumnKind KindOf(Type clr, string column)
    {
        if (clr.IsEnum)
        {
            return ColumnKind.Choice;
        }

        return clr switch
        {
            _ when clr == typeof(string) => ColumnKind.Text,
            _ when clr == typeof(bool) => ColumnKind.Boolean,
            _ when clr == typeof(Guid) => ColumnKind.Guid,
            _ when clr == typeof(DateTimeOffset) || clr == typeof(DateTime) || clr == typeof(DateOnly) => ColumnKind.Date,
            _ when clr == typeof(short) || clr == typeof(int) || clr == typeof(long) || clr == typeof(decimal) || clr == typeof(double) || clr == typeof(float)
                => column.EndsWith("_cents", StringComparison.Ordinal) ? ColumnKind.Cents : ColumnKind.Number,
            _ when clr == typeof(System.Text.Json.JsonDocument) => ColumnKind.Json,
            _ when clr.IsArray => ColumnKind.Array,
            _ when clr == typeof(NpgsqlTsVector) => ColumnKind.SearchVector,
            _ => ColumnKind.Other,
        };
    }

    /// <summary>Values of a CHECK (column = ANY (ARRAY['a'::..., 'b'::...])) list on this column.</summary>
    internal static IReadOnlyList<string> AllowedValues(string column, IEnumerable<string> checks)
    {
        foreach (var sql in checks)
        {
            var compact = sql.Replace(" ", "", StringComparison.Ordinal);
            if (!compact.Contains($"({column})::text=ANY", StringComparison.Ordinal) && !compact.Contains($"({column}=ANY", StringComparison.Ordinal))
            {
                continue;
            }

            var values = QuotedValue().Matches(sql).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
            if (values.Count > 0)
            {
                return values;
            }
        }

        return [];
    }

    [GeneratedRegex("'((?:[^']|'')*)'::")]
    private static partial Regex QuotedValue();

    /// <summary><c>TicketToken.Data.BlockchainIndexer</c> → <c>blockchain-indexer</c>, as the reference catalog names services.</summary>
    internal static string ServiceSlug(string entityNamespace)
    {
        var folder = entityNamespace.Split('.')[2];
        return KebabCase().Replace(folder, "-$1").ToLowerInvariant();
    }

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex KebabCase();

    private static string ServiceTitle(string slug) =>
        string.Join(' ', slug.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
}

public enum ColumnKind
{
    Text,
    Choice,
    Number,
    Cents,
    Boolean,
    Date,
    Guid,
    Json,
    Array,
    SearchVector,
    Other,
}

public sealed record ExplorerService(string Slug, string Title, IReadOnlyList<ExplorerTable> Tables);

public sealed record ExplorerColumn(
    string Name,
    System.Reflection.PropertyInfo Property,
    Type ClrType,
    ColumnKind Kind,
    string StoreType,
    bool Nullable,
    int? MaxLength,
    IReadOnlyList<string> AllowedValues,
    bool IsKey,
    bool IsSensitive)
{
    /// <summary>Sensitive columns are never filtered, sorted or searched: that would leak them one guess at a time.</summary>
    public bool CanFilter => !IsSensitive && Kind is not (ColumnKind.Json or ColumnKind.Array or ColumnKind.SearchVector or ColumnKind.Other);

    public bool CanSort => CanFilter;
}

public sealed class ExplorerTable(string service, string name, IEntityType entityType, IReadOnlyList<ExplorerColumn> columns)
{
    public string Service { get; } = service;

    public string Name { get; } = name;

    public IEntityType EntityType { get; } = entityType;

    public Type ClrType => EntityType.ClrType;

    public IReadOnlyList<ExplorerColumn> Columns { get; } = columns;

    public IReadOnlyList<ExplorerColumn> Key => [.. Columns.Where(c => c.IsKey)];

    public ExplorerColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    public List<ExplorerRelation> Parents { get; } = [];

    public List<ExplorerRelation> Children { get; } = [];

    public string Path => $"/explorer/{Service}/{Name}";

    /// <summary>The default order: newest first where the table has <c>created_at</c>, else the key.</summary>
    public (ExplorerColumn Column, bool Descending) DefaultSort =>
        Column("created_at") is { } created ? (created, true) : (Key.Count > 0 ? Key[0] : Columns[0], false);
}

/// <summary>A foreign key: <see cref="Child"/> rows point at a <see cref="Parent"/> row.</summary>
public sealed record ExplorerRelation(ExplorerTable Parent, ExplorerTable Child, IForeignKey ForeignKey)
{
    public IReadOnlyList<string> ChildColumns => [.. ForeignKey.Properties.Select(p => p.GetColumnName())];

    public IReadOnlyList<string> ParentColumns => [.. ForeignKey.PrincipalKey.Properties.Select(p => p.GetColumnName())];
}
