using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;

namespace TicketToken.Data.Seeding;

/// <summary>
/// Streams rows into one table through COPY: binary format (encoded by <see cref="BinaryCopyEncoder"/>) when every
/// column's type is one it covers (the bulk path), text format otherwise (enum columns, tsvector, …), where
/// PostgreSQL parses the values itself.
/// Values are plain CLR values: Guid, string, int, long, short, decimal, bool, DateTime (UTC), DateOnly, TimeOnly,
/// string[], Guid[], IPAddress; jsonb columns take their JSON text as a string.
/// </summary>
internal sealed class CopyTableWriter : IAsyncDisposable
{
    /// <summary>Encoded bytes are sent once this many are pending.</summary>
    private const int FlushAt = 1 << 16;

    private readonly NpgsqlRawCopyStream? _raw;
    private readonly BinaryCopyEncoder? _encoder;
    private readonly TextWriter? _text;
    private readonly StringBuilder _line = new(512);
    private bool _completed;

    private CopyTableWriter(TableInfo table, NpgsqlRawCopyStream? raw, BinaryCopyEncoder? encoder, TextWriter? text)
    {
        Table = table;
        _raw = raw;
        _encoder = encoder;
        _text = text;
    }

    public TableInfo Table { get; }

    public long Rows { get; private set; }

    public bool IsBinary => _raw is not null;

    /// <param name="freeze">
    /// COPY … FREEZE: rows are written frozen and all-visible. Only valid when the table was created or truncated in
    /// the current (sub)transaction; the caller knows.
    /// </param>
    public static async Task<CopyTableWriter> OpenAsync(NpgsqlConnection conn, TableInfo table, IReadOnlyList<string> columnNames, bool preferBinary, CancellationToken ct, bool freeze = false)
    {
        var cols = columnNames.Select(n => table.Column(n) ?? throw new InvalidOperationException($"{table.Name}.{n} does not exist")).ToArray();
        var encoded = new BinaryCopyEncoder.Column[cols.Length];
        var binary = preferBinary;
        for (var i = 0; i < cols.Length && binary; i++)
        {
            var c = cols[i];
            // An enum's binary form is its label's text (enum_send / enum_recv).
            var kind = c is { TypeKind: 'e', ElementTypeName: null } ? BinaryCopyEncoder.Kind.Text : BinaryCopyEncoder.KindOf(c.ElementTypeName ?? c.TypeName);
            var elementOid = c.ElementTypeName is { } e ? BinaryCopyEncoder.OidOf(e) : null;
            if (kind is null || (c.ElementTypeName is not null && elementOid is null))
            {
                binary = false;
            }
            else
            {
                encoded[i] = new BinaryCopyEncoder.Column(c.Name, kind.Value, elementOid);
            }
        }

        var list = string.Join(", ", cols.Select(c => DbCatalog.Quote(c.Name)));
        if (binary)
        {
            var raw = await conn.BeginRawBinaryCopyAsync($"COPY {table.QuotedName} ({list}) FROM STDIN (FORMAT BINARY{(freeze ? ", FREEZE" : string.Empty)})", ct);
            return new CopyTableWriter(table, raw, new BinaryCopyEncoder(table.Name, encoded), null);
        }

        var writer = await conn.BeginTextImportAsync($"COPY {table.QuotedName} ({list}) FROM STDIN{(freeze ? " (FREEZE)" : string.Empty)}", ct);
        return new CopyTableWriter(table, null, null, writer);
    }

    /// <summary>Writes one row; the values follow the column list given to <see cref="OpenAsync"/>.</summary>
    public void WriteRow(object?[] values)
    {
        if (Append(values))
        {
            _raw!.Write(_encoder!.Pending.Span);
            _encoder.Reset();
        }
    }

    /// <summary>
    /// Writes every row and completes the COPY; reports progress (<paramref name="expected"/> rows, stage
    /// <paramref name="stage"/> of <paramref name="stageCount"/>) and checks for cancellation every 50,000 rows.
    /// </summary>
    public async Task<long> WriteAllAsync(IEnumerable<object?[]> rows, string stageName, long expected, int stage, int stageCount, IProgress<SeedProgress>? progress, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            if (Append(row))
            {
                await FlushAsync(ct);
            }

            if (Rows % 50_000 == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report(new SeedProgress(stageName, Rows, Math.Max(expected, Rows), stage, stageCount));
            }
        }

        return await CompleteAsync(ct);
    }

    public async Task<long> CompleteAsync(CancellationToken ct)
    {
        _completed = true;
        if (_encoder is not null)
        {
            _encoder.WriteTrailer();
            await FlushAsync(ct);
            await _raw!.DisposeAsync(); // ends the COPY and reads its result: a server-side error surfaces here
        }
        else
        {
            await _text!.DisposeAsync();
        }

        return Rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        // Not completed: cancel the COPY, so nothing of it is kept.
        if (_raw is not null)
        {
            await _raw.CancelAsync();
            await _raw.DisposeAsync();
        }
        else if (_text is NpgsqlCopyTextWriter tw)
        {
            await tw.CancelAsync();
            await tw.DisposeAsync();
        }
    }

    /// <summary>Encodes one row (binary) or writes its line (text); returns whether enough binary output is pending to send.</summary>
    private bool Append(object?[] values)
    {
        if (_encoder is not null)
        {
            _encoder.WriteRow(values);
            Rows++;
            return _encoder.Length >= FlushAt;
        }

        _line.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                _line.Append('\t');
            }

            AppendText(_line, values[i]);
        }

        _line.Append('\n');
        _text!.Write(_line);
        Rows++;
        return false;
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        await _raw!.WriteAsync(_encoder!.Pending, ct);
        _encoder.Reset();
    }

    /// <summary>PostgreSQL COPY text representation of a value.</summary>
    internal static void AppendText(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null:
                sb.Append("\\N");
                break;
            case string s:
                AppendEscaped(sb, s);
                break;
            case Guid g:
                sb.Append(g.ToString("D"));
                break;
            case bool b:
                sb.Append(b ? 't' : 'f');
                break;
            case DateTime d:
                sb.Append(d.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append("+00");
                break;
            case DateOnly d:
                sb.Append(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case TimeOnly t:
                sb.Append(t.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
                break;
            case IPAddress ip:
                sb.Append(ip);
                break;
            case string[] arr:
                AppendEscaped(sb, ArrayLiteral(arr));
                break;
            case Guid[] garr:
                sb.Append('{').AppendJoin(',', garr.Select(x => x.ToString("D"))).Append('}');
                break;
            case IFormattable f:
                sb.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                AppendEscaped(sb, v.ToString() ?? string.Empty);
                break;
        }
    }

    private static string ArrayLiteral(string[] items)
    {
        var sb = new StringBuilder("{");
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append('"').Append(items[i].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        return sb.Append('}').ToString();
    }

    private static void AppendEscaped(StringBuilder sb, string s)
    {
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                default: sb.Append(c); break;
            }
        }
    }
}
