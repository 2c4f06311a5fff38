using System.Globalization;
using System.Text.Json;

namespace TicketToken.Portal.Explorer;

/// <summary>One formatted value. <see cref="Time"/> is set for timestamps, shown in the user's time zone with UTC on hover.</summary>
public sealed record ExplorerCell(string? Text, DateTimeOffset? Time = null, bool Masked = false, bool Json = false)
{
    public static readonly ExplorerCell Null = new((string?)null);
}

/// <summary>Formats values by their column kind: cents as currency, JSON pretty-printed, arrays joined, timestamps in UTC.</summary>
public static class ExplorerFormat
{
    public const string MaskText = "••••••";
    private static readonly CultureInfo Money = CultureInfo.GetCultureInfo("en-US");
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static ExplorerCell Cell(ExplorerColumn column, object? value)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (value is null)
        {
            return ExplorerCell.Null;
        }

        if (column.IsSensitive)
        {
            return new ExplorerCell(MaskText, Masked: true);
        }

        return value switch
        {
            DateTimeOffset t => new ExplorerCell(Utc(t), t),
            DateTime d => new ExplorerCell(Utc(new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))), new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))),
            DateOnly d => new ExplorerCell(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            JsonDocument j => new ExplorerCell(JsonSerializer.Serialize(j.RootElement, Indented), Json: true),
            bool b => new ExplorerCell(b ? "yes" : "no"),
            long or int or short or decimal when column.Kind == ColumnKind.Cents =>
                new ExplorerCell((Convert.ToDecimal(value, CultureInfo.InvariantCulture) / 100m).ToString("C", Money)),
            IFormattable f when column.Kind == ColumnKind.Number => new ExplorerCell(f.ToString(null, CultureInfo.InvariantCulture)),
            string s => new ExplorerCell(s),
            System.Collections.IEnumerable items => new ExplorerCell(string.Join(", ", items.Cast<object?>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)))),
            _ => new ExplorerCell(Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }

    public static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A timestamp in the given time zone (the browser's), e.g. <c>2026-03-01 13:00 CET</c>.</summary>
    public static string Local(DateTimeOffset t, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(t, zone);
        return local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + (zone == TimeZoneInfo.Utc ? "UTC" : zone.Id);
    }
}
