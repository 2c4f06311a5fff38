using System.Globalization;
using System.Text;
using SpreadCheetah;
using SpreadCheetah.Styling;

namespace TicketToken.Portal.Explorer;

/// <summary>Writes export rows to a stream, one batch at a time (nothing but the current batch is held).</summary>
public interface IExportWriter : IAsyncDisposable
{
    Task WriteHeaderAsync(IReadOnlyList<string> names, CancellationToken ct);

    Task WriteRowAsync(IReadOnlyList<ExportValue> values, CancellationToken ct);

    Task FinishAsync(CancellationToken ct);
}

/// <summary>
/// One exported value: its text as the grid shows it (null for empty or masked), the kind of its column, and for
/// timestamps the instant itself. CSV writes the text; XLSX writes amounts, numbers, dates and yes/no as typed cells.
/// </summary>
public readonly record struct ExportValue(string? Text, ColumnKind Kind, DateTimeOffset? Time = null);

public static class ExportFormats
{
    public const string Csv = "csv";
    public const string Xlsx = "xlsx";

    public static readonly IReadOnlyList<string> All = [Csv, Xlsx];

    public static string ContentType(string format) => format == Xlsx
        ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        : "text/csv; charset=utf-8";

    public static async Task<IExportWriter> CreateAsync(string format, Stream output, CancellationToken ct) => format switch
    {
        Csv => new CsvExportWriter(output),
        Xlsx => await XlsxExportWriter.CreateAsync(output, ct),
        _ => throw new ArgumentException($"'{format}' is not an export format (csv, xlsx).", nameof(format)),
    };

    /// <summary>
    /// Text a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return) gets a leading
    /// apostrophe, so it is shown as text. Plain numbers such as <c>-12.50</c> stay as they are: they cannot run.
    /// </summary>
    public static string? Neutralise(string? value)
    {
        if (string.IsNullOrEmpty(value) || value[0] is not ('=' or '+' or '-' or '@' or '\t' or '\r'))
        {
            return value;
        }

        return IsPlainNumber(value) ? value : "'" + value;
    }

    private static bool IsPlainNumber(string value) =>
        value[0] is '-' or '+' && value.Length > 1 && value.Skip(1).All(c => char.IsAsciiDigit(c) || c == '.')
        && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
}

/// <summary>RFC 4180 CSV in UTF-8 with a byte order mark (so spreadsheets read the encoding right), CRLF line ends.</summary>
public sealed class CsvExportWriter(Stream output) : IExportWriter
{
    private readonly StreamWriter writer = new(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };

    public async Task WriteHeaderAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        for (var i = 0; i < names.Count; i++)
        {
            await WriteFieldAsync(i, names[i], ct);
        }

        await writer.WriteLineAsync();
    }

    public async Task WriteRowAsync(IReadOnlyList<ExportValue> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Count; i++)
        {
            await WriteFieldAsync(i, values[i].Text, ct);
        }

        await writer.WriteLineAsync();
    }

    private async Task WriteFieldAsync(int index, string? value, CancellationToken ct)
    {
        if (index > 0)
        {
            await writer.WriteAsync(',');
        }

        await writer.WriteAsync(Field(ExportFormats.Neutralise(value)).AsMemory(), ct);
    }

    public Task FinishAsync(CancellationToken ct) => writer.FlushAsync(ct);

    public ValueTask DisposeAsync() => writer.DisposeAsync();

    private static string Field(string? value)
    {
        if (value is null)
        {
            return "";
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}

/// <summary>
/// XLSX through SpreadCheetah, which streams rows straight to the output. Amounts (cents shown as dollars) become
/// numbers with two decimals, numbers numbers, timestamps date-times in UTC, dates dates, yes/no booleans, so a sheet
/// can sum and sort them; everything else is a text cell, neutralised.
/// </summary>
public sealed class XlsxExportWriter : IExportWriter
{
    private static readonly CultureInfo Money = CultureInfo.GetCultureInfo("en-US");

    private readonly Spreadsheet spreadsheet;
    private readonly StyleId amount;
    private readonly StyleId timestamp;
    private readonly StyleId date;

    private XlsxExportWriter(Spreadsheet spreadsheet)
    {
        this.spreadsheet = spreadsheet;
        amount = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("#,##0.00") });
        timestamp = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd hh:mm:ss") });
        date = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd") });
    }

    public static async Task<XlsxExportWriter> CreateAsync(Stream output, CancellationToken ct)
    {
        var spreadsheet = await Spreadsheet.CreateNewAsync(output, null, ct);
        var writer = new XlsxExportWriter(spreadsheet);
        await spreadsheet.StartWorksheetAsync("Export", null, ct);
        return writer;
    }

    public async Task WriteHeaderAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        await spreadsheet.AddHeaderRowAsync([.. names.Select(n => ExportFormats.Neutralise(n) ?? "")], null, ct);
    }

    public async Task WriteRowAsync(IReadOnlyList<ExportValue> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        var cells = new Cell[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            cells[i] = ToCell(values[i]);
        }

        await spreadsheet.AddRowAsync(cells, ct);
    }

    public Task FinishAsync(CancellationToken ct) => spreadsheet.FinishAsync(ct).AsTask();

    public ValueTask DisposeAsync() => spreadsheet.DisposeAsync();

    private Cell ToCell(ExportValue value)
    {
        var text = value.Text;
        if (text is null)
        {
            return new Cell(new DataCell((string?)null));
        }

        switch (value.Kind)
        {
            case ColumnKind.Cents when decimal.TryParse(text, NumberStyles.Currency, Money, out var dollars):
                return new Cell(dollars, amount);
            case ColumnKind.Number when IsSpreadsheetNumber(text, out var number):
                return new Cell(new DataCell(number));
            case ColumnKind.Boolean when text is "yes" or "no":
                return new Cell(new DataCell(text == "yes"));
            case ColumnKind.Date when value.Time is { } instant:
                return new Cell(instant.UtcDateTime, timestamp);
            case ColumnKind.Date when DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day):
                return new Cell(day, date);
            default:
                return new Cell(new DataCell(ExportFormats.Neutralise(text)));
        }
    }

    /// <summary>
    /// A number a spreadsheet holds exactly: it stores doubles, so more than 15 significant digits (a bigint id, say)
    /// would be rounded; those stay text.
    /// </summary>
    private static bool IsSpreadsheetNumber(string text, out decimal number)
    {
        number = 0;
        var significant = 0;
        var leading = true;
        foreach (var c in text)
        {
            leading = leading && c is '-' or '+' or '0' or '.';
            if (!leading && char.IsAsciiDigit(c))
            {
                significant++;
            }
        }

        return significant <= 15 && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }
}
