using System.Globalization;
using System.Text;
using SpreadCheetah;

namespace TicketToken.Portal.Explorer;

/// <summary>Writes export rows to a stream, one batch at a time (nothing but the current batch is held).</summary>
public interface IExportWriter : IAsyncDisposable
{
    Task WriteHeaderAsync(IReadOnlyList<string> names, CancellationToken ct);

    Task WriteRowAsync(IReadOnlyList<string?> values, CancellationToken ct);

    Task FinishAsync(CancellationToken ct);
}

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

    public Task WriteHeaderAsync(IReadOnlyList<string> names, CancellationToken ct) => WriteRowAsync(names, ct);

    public async Task WriteRowAsync(IReadOnlyList<string?> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                await writer.WriteAsync(',');
            }

            await writer.WriteAsync(Field(ExportFormats.Neutralise(values[i])).AsMemory(), ct);
        }

        await writer.WriteLineAsync();
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

/// <summary>XLSX through SpreadCheetah, which streams rows straight to the output. Every value is a text cell, neutralised.</summary>
public sealed class XlsxExportWriter : IExportWriter
{
    private readonly Spreadsheet spreadsheet;

    private XlsxExportWriter(Spreadsheet spreadsheet) => this.spreadsheet = spreadsheet;

    public static async Task<XlsxExportWriter> CreateAsync(Stream output, CancellationToken ct)
    {
        var spreadsheet = await Spreadsheet.CreateNewAsync(output, null, ct);
        await spreadsheet.StartWorksheetAsync("Export", null, ct);
        return new XlsxExportWriter(spreadsheet);
    }

    public async Task WriteHeaderAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        await spreadsheet.AddHeaderRowAsync([.. names.Select(n => ExportFormats.Neutralise(n) ?? "")], null, ct);
    }

    public async Task WriteRowAsync(IReadOnlyList<string?> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        var cells = new DataCell[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            cells[i] = new DataCell(ExportFormats.Neutralise(values[i]));
        }

        await spreadsheet.AddRowAsync(cells, ct);
    }

    public Task FinishAsync(CancellationToken ct) => spreadsheet.FinishAsync(ct).AsTask();

    public ValueTask DisposeAsync() => spreadsheet.DisposeAsync();
}
