using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using NpgsqlTypes;

namespace TicketToken.Portal.Explorer;

/// <summary>How a field is typed in a generated form.</summary>
public enum InputKind
{
    Text,
    LongText,
    Integer,
    Decimal,
    Float,
    Boolean,
    Timestamp,
    Date,
    Uuid,
    Choice,
    Json,
    Array,
}

/// <summary>What the portal does with a column when a row is created or edited.</summary>
public enum FieldRole
{
    /// <summary>The user types it.</summary>
    Editable,

    /// <summary>Shown, never written by the form (keys, computed and identity columns, tenant, timestamps the portal maintains).</summary>
    ReadOnly,

    /// <summary>Never in a form: sensitive values, search vectors, types the form cannot edit. Left unchanged on update.</summary>
    Hidden,
}

/// <summary>One column of a generated form, with everything the schema says about its values.</summary>
public sealed record ExplorerField(
    ExplorerColumn Column,
    InputKind Input,
    string SqlType,
    bool Nullable,
    bool HasDefault,
    int? MaxLength,
    int? Precision,
    int? Scale,
    IReadOnlyList<string> Choices,
    ExplorerTable? Parent,
    FieldRole OnUpdate,
    FieldRole OnCreate)
{
    public string Name => Column.Name;

    /// <summary>The column is arrayed (text[], uuid[]): typed as a JSON array.</summary>
    public bool IsArray => Input == InputKind.Array;

    public bool RequiredOnCreate => !Nullable && !HasDefault;

    public FieldRole RoleFor(bool creating) => creating ? OnCreate : OnUpdate;

    /// <summary>A short hint under the input: the type and limits.</summary>
    public string Hint => Input switch
    {
        InputKind.Text or InputKind.LongText when MaxLength is { } max => $"text, at most {max:N0} characters",
        InputKind.Text or InputKind.LongText => "text",
        InputKind.Integer when Column.Kind == ColumnKind.Cents => "whole number of cents",
        InputKind.Integer => "whole number",
        InputKind.Decimal when Precision is { } p => $"number, up to {p - (Scale ?? 0)} digits and {Scale ?? 0} decimal places",
        InputKind.Decimal or InputKind.Float => "number",
        InputKind.Timestamp => "date and time, e.g. 2026-03-01 14:30:00Z (UTC unless an offset is given)",
        InputKind.Date => "date, yyyy-MM-dd",
        InputKind.Uuid when Parent is not null => $"a row of {Parent.Name}: search, or paste its id",
        InputKind.Uuid => "uuid",
        InputKind.Json => "JSON",
        InputKind.Array => $"JSON array, e.g. [\"a\", \"b\"] ({SqlType})",
        _ => "",
    };
}

/// <summary>
/// Builds create and edit forms from the EF model (never a page per table) and validates typed values by the schema:
/// required, maximum length, numeric range, precision and scale, CHECK and enum lists, JSON, uuids and timestamps.
/// Values travel as text in the invariant culture; <see cref="ToDatabaseText"/> gives what PostgreSQL casts to the column type.
/// </summary>
public static partial class ExplorerForm
{
    /// <summary>Columns the portal maintains itself.</summary>
    public static readonly IReadOnlySet<string> Maintained = new HashSet<string>(StringComparer.Ordinal)
    {
        "tenant_id", "created_at", "updated_at", "deleted_at", "search_vector", "version",
    };

    private static readonly Dictionary<ExplorerTable, IReadOnlyList<ExplorerField>> Cache = [];
    private static readonly Lock CacheGate = new();

    public static IReadOnlyList<ExplorerField> Fields(ExplorerTable table, ExplorerCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(catalog);
        lock (CacheGate)
        {
            if (!Cache.TryGetValue(table, out var fields))
            {
                Cache[table] = fields = [.. table.Columns.Select(c => Build(table, c, catalog))];
            }

            return fields;
        }
    }

    private static ExplorerField Build(ExplorerTable table, ExplorerColumn column, ExplorerCatalog catalog)
    {
        var store = StoreObjectIdentifier.Table(table.Name, table.EntityType.GetSchema());
        var property = table.EntityType.GetProperties().First(p => p.PropertyInfo == column.Property);
        var sqlType = column.StoreType;
        var hasDefault = property.GetDefaultValueSql(store) is not null || property.GetDefaultValue(store) is not null;
        var computed = property.GetComputedColumnSql(store) is not null;
        var identity = property.ValueGenerated == ValueGenerated.OnAdd && !hasDefault && column.IsKey && column.ClrType != typeof(Guid);
        var (precision, scale) = NumericSize(sqlType);
        var input = InputFor(column, sqlType);
        var choices = column.ClrType.IsEnum ? EnumLabels(column.ClrType) : column.AllowedValues;
        var parent = column.Kind == ColumnKind.Guid
            ? table.Parents.FirstOrDefault(p => p.ChildColumns.Count == 1 && p.ChildColumns[0] == column.Name && p.Parent.Key.Count == 1)?.Parent
              ?? (column.IsKey ? null : catalog.Conventional(column.Name))
            : null;

        FieldRole onUpdate, onCreate;
        if (column.IsSensitive || input is null)
        {
            onUpdate = onCreate = FieldRole.Hidden;
        }
        else if (computed || identity)
        {
            onUpdate = FieldRole.ReadOnly;
            onCreate = FieldRole.Hidden;
        }
        else if (column.IsKey)
        {
            onUpdate = FieldRole.ReadOnly;
            onCreate = hasDefault ? FieldRole.Hidden : FieldRole.Editable;
        }
        else if (column.Name == "tenant_id")
        {
            // Set from the row (edit) or the actor's / chosen tenant (create): see ExplorerWriter.
            onUpdate = FieldRole.ReadOnly;
            onCreate = FieldRole.Editable;
        }
        else if (Maintained.Contains(column.Name))
        {
            onUpdate = FieldRole.ReadOnly;
            onCreate = FieldRole.Hidden;
        }
        else
        {
            onUpdate = onCreate = FieldRole.Editable;
        }

        return new ExplorerField(column, input ?? InputKind.Text, sqlType, column.Nullable, hasDefault, column.MaxLength ?? TextLength(sqlType),
            precision, scale, choices, parent, onUpdate, onCreate);
    }

    private static InputKind? InputFor(ExplorerColumn column, string sqlType) => column.Kind switch
    {
        ColumnKind.Text when column.MaxLength is null && sqlType == "text" => InputKind.LongText,
        ColumnKind.Text => InputKind.Text,
        ColumnKind.Choice => InputKind.Choice,
        ColumnKind.Boolean => InputKind.Boolean,
        ColumnKind.Guid => InputKind.Uuid,
        ColumnKind.Json => InputKind.Json,
        ColumnKind.Array => InputKind.Array,
        ColumnKind.Date when column.ClrType == typeof(DateOnly) => InputKind.Date,
        ColumnKind.Date => InputKind.Timestamp,
        ColumnKind.Number or ColumnKind.Cents when column.ClrType == typeof(decimal) => InputKind.Decimal,
        ColumnKind.Number or ColumnKind.Cents when column.ClrType == typeof(double) || column.ClrType == typeof(float) => InputKind.Float,
        ColumnKind.Number or ColumnKind.Cents => InputKind.Integer,
        _ => null,
    };

    /// <summary>The labels PostgreSQL stores for a mapped enum (<c>[PgName]</c>), in declaration order.</summary>
    public static IReadOnlyList<string> EnumLabels(Type enumType)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        return [.. enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<PgNameAttribute>()?.PgName ?? f.Name)];
    }

    private static (int?, int?) NumericSize(string sqlType)
    {
        var m = NumericPattern().Match(sqlType);
        return m.Success
            ? (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0)
            : (null, null);
    }

    private static int? TextLength(string sqlType)
    {
        var m = VarcharPattern().Match(sqlType);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^numeric\((\d+)(?:,\s*(\d+))?\)$")]
    private static partial Regex NumericPattern();

    [GeneratedRegex(@"^(?:character varying|varchar|character|char)\((\d+)\)$")]
    private static partial Regex VarcharPattern();

    /// <summary>A database value (from <c>to_jsonb(row)</c>) as the text a form shows and compares.</summary>
    public static string? FromJson(ExplorerField field, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(field);
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Number:
                return value.GetRawText();
            case JsonValueKind.Object or JsonValueKind.Array when field.Input == InputKind.Json:
                return JsonSerializer.Serialize(value, Indented);
            case JsonValueKind.Object or JsonValueKind.Array:
                return value.GetRawText();
            default:
                {
                    var text = value.GetString();
                    if (field.Input == InputKind.Json)
                    {
                        return JsonSerializer.Serialize(value, Indented);
                    }

                    return field.Input == InputKind.Timestamp && text is not null
                        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                        ? FormatTimestamp(t)
                        : text;
                }
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string FormatTimestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture) + "Z";

    /// <summary>
    /// The problem with a typed value, in words for the person typing it; null when the schema accepts it.
    /// Empty input means NULL (or the column's default on create).
    /// </summary>
    public static string? Validate(ExplorerField field, string? text, bool creating)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (string.IsNullOrWhiteSpace(text))
        {
            if (!field.Nullable && !(creating && field.HasDefault))
            {
                return "Required.";
            }

            return null;
        }

        var trimmed = text.Trim();
        switch (field.Input)
        {
            case InputKind.Text or InputKind.LongText:
                return field.MaxLength is { } max && text.Length > max
                    ? $"At most {max:N0} characters; this has {text.Length:N0}."
                    : null;
            case InputKind.Choice:
                return field.Choices.Contains(trimmed, StringComparer.Ordinal)
                    ? null
                    : $"Choose one of: {string.Join(", ", field.Choices)}.";
            case InputKind.Boolean:
                return trimmed is "true" or "false" ? null : "Choose yes or no.";
            case InputKind.Uuid:
                return Guid.TryParse(trimmed, out _) ? null : "Not a uuid (like 3f2c7a8e-1b4d-4c55-9e0f-0a1b2c3d4e5f).";
            case InputKind.Integer:
                {
                    var (min, maxValue) = IntegerRange(field);
                    if (!long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                    {
                        return field.Column.Kind == ColumnKind.Cents ? "Enter a whole number of cents (no decimal point)." : "Enter a whole number.";
                    }

                    return n < min || n > maxValue ? $"Must be between {min:N0} and {maxValue:N0}." : null;
                }

            case InputKind.Decimal:
                {
                    if (!decimal.TryParse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
                    {
                        return "Enter a number, with a point for decimals (e.g. 12.50).";
                    }

                    var digits = trimmed.TrimStart('-', '+');
                    var point = digits.IndexOf('.', StringComparison.Ordinal);
                    var whole = (point < 0 ? digits : digits[..point]).TrimStart('0').Length;
                    var fraction = point < 0 ? 0 : digits[(point + 1)..].TrimEnd('0').Length;
                    if (field.Scale is { } scale && fraction > scale)
                    {
                        return scale == 0 ? "No decimal places allowed." : $"At most {scale} decimal place(s).";
                    }

                    if (field.Precision is { } precision && whole > precision - (field.Scale ?? 0))
                    {
                        return $"Too large: at most {precision - (field.Scale ?? 0)} digit(s) before the decimal point.";
                    }

                    return null;
                }

            case InputKind.Float:
                return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? null
                    : "Enter a number.";
            case InputKind.Timestamp:
                return TryTimestamp(trimmed, out _) ? null : "Enter a date and time like 2026-03-01 14:30:00Z.";
            case InputKind.Date:
                return DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    ? null
                    : "Enter a date like 2026-03-01.";
            case InputKind.Json:
                try
                {
                    using var _ = JsonDocument.Parse(trimmed);
                    return null;
                }
                catch (JsonException ex)
                {
                    return $"Not valid JSON: {ex.Message.Split(" Path:", StringSplitOptions.None)[0]}";
                }

            case InputKind.Array:
                return ValidateArray(field, trimmed);
            default:
                return null;
        }
    }

    private static string? ValidateArray(ExplorerField field, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return "Enter a JSON array, e.g. [\"a\", \"b\"] or [] for none.";
            }

            var element = field.SqlType.EndsWith("[]", StringComparison.Ordinal) ? field.SqlType[..^2] : field.SqlType;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    return "Items must be plain values, not objects or arrays.";
                }

                var itemText = item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText();
                if (element == "uuid" && !Guid.TryParse(itemText, out _))
                {
                    return $"'{itemText}' is not a uuid.";
                }

                if (element is "integer" or "bigint" or "smallint" && !long.TryParse(itemText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    return $"'{itemText}' is not a whole number.";
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return "Enter a JSON array, e.g. [\"a\", \"b\"] or [] for none.";
        }
    }

    private static (long Min, long Max) IntegerRange(ExplorerField field) => field.SqlType switch
    {
        "smallint" => (short.MinValue, short.MaxValue),
        "integer" => (int.MinValue, int.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    private static bool TryTimestamp(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);

    /// <summary>The text PostgreSQL casts to the column's type; null for NULL. Call after <see cref="Validate"/> passed.</summary>
    public static string? ToDatabaseText(ExplorerField field, string? text)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return field.Input switch
        {
            InputKind.Text or InputKind.LongText => text,
            InputKind.Timestamp when TryTimestamp(text.Trim(), out var t) => t.ToString("O", CultureInfo.InvariantCulture),
            _ => text.Trim(),
        };
    }

    /// <summary>
    /// Validates every editable field; the messages by column name (empty when all are fine). With <paramref name="original"/>
    /// (an edit), only changed fields are checked: a stored value that predates a rule does not block editing other fields.
    /// </summary>
    public static Dictionary<string, string> ValidateAll(
        IEnumerable<ExplorerField> fields, IReadOnlyDictionary<string, string?> values, bool creating, IReadOnlyDictionary<string, string?>? original = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(values);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in fields.Where(f => f.RoleFor(creating) == FieldRole.Editable))
        {
            if (original is not null && string.Equals(values.GetValueOrDefault(field.Name), original.GetValueOrDefault(field.Name), StringComparison.Ordinal))
            {
                continue;
            }

            if (Validate(field, values.GetValueOrDefault(field.Name), creating) is { } problem)
            {
                errors[field.Name] = problem;
            }
        }

        return errors;
    }
}
