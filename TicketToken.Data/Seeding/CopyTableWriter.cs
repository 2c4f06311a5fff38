using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace TicketToken.Data.Seeding;

/// <summary>
/// Streams rows into one table through COPY: binary format when every column has a known binary mapping (the
/// bulk path), text format otherwise (enum columns, tsvector, …), where PostgreSQL parses the values itself.
/// Values are plain CLR values: Guid, string, int, long, short, decimal, bool, DateTime (UTC), DateOnly, TimeOnly,
/// string[], Guid[], IPAddress; jsonb columns take their JSON text as a string.
/// </summary>
internal sealed class CopyTableWriter : IAsyncDisposable
{
    private readonly NpgsqlBinaryImporter? _binary;
    private readonly TextWriter? _text;
    private readonly NpgsqlDbType[] _types;
    private readonly ColumnInfo[] _columns;
    private readonly StringBuilder _line = new(512);
    private bool _completed;

    private CopyTableWriter(TableInfo table, ColumnInfo[] columns, NpgsqlDbType[] types, NpgsqlBinaryImporter? binary, TextWriter? text)
    {
        Table = table;
        _columns = columns;
        _types = types;
        _binary = binary;
        _text = text;
    }

    public TableInfo Table { get; }

    public long Rows { get; private set; }

    public bool IsBinary => _binary is not null;

    /// <param name="freeze">
    /// COPY … FREEZE: rows are written frozen and all-visible. Only valid when the table was created or truncated in
    /// the current (sub)transaction; the caller knows.
    /// </param>
    public static async Task<CopyTableWriter> OpenAsync(NpgsqlConnection conn, TableInfo table, IReadOnlyList<string> columnNames, bool preferBinary, CancellationToken ct, bool freeze = false)
    {
        var cols = columnNames.Select(n => table.Column(n) ?? throw new InvalidOperationException($"{table.Name}.{n} does not exist")).ToArray();
        var types = new NpgsqlDbType[cols.Length];
        var binary = preferBinary;
        for (var i = 0; i < cols.Length && binary; i++)
        {
            var t = BinaryType(cols[i]);
            if (t is null)
            {
                binary = false;
            }
            else
            {
                types[i] = t.Value;
            }
        }

        var list = string.Join(", ", cols.Select(c => DbCatalog.Quote(c.Name)));
        if (binary)
        {
            var importer = await conn.BeginBinaryImportAsync($"COPY {table.QuotedName} ({list}) FROM STDIN (FORMAT BINARY{(freeze ? ", FREEZE" : string.Empty)})", ct);
            return new CopyTableWriter(table, cols, types, importer, null);
        }

        var writer = await conn.BeginTextImportAsync($"COPY {table.QuotedName} ({list}) FROM STDIN{(freeze ? " (FREEZE)" : string.Empty)}", ct);
        return new CopyTableWriter(table, cols, types, null, writer);
    }

    private static NpgsqlDbType? BinaryType(ColumnInfo c)
    {
        NpgsqlDbType? Scalar(string typeName) => typeName switch
        {
            "uuid" => NpgsqlDbType.Uuid,
            "text" => NpgsqlDbType.Text,
            "varchar" => NpgsqlDbType.Varchar,
            "bpchar" => NpgsqlDbType.Char,
            "int2" => NpgsqlDbType.Smallint,
            "int4" => NpgsqlDbType.Integer,
            "int8" => NpgsqlDbType.Bigint,
            "numeric" => NpgsqlDbType.Numeric,
            "bool" => NpgsqlDbType.Boolean,
            "timestamptz" => NpgsqlDbType.TimestampTz,
            "date" => NpgsqlDbType.Date,
            "time" => NpgsqlDbType.Time,
            "jsonb" => NpgsqlDbType.Jsonb,
            "json" => NpgsqlDbType.Json,
            "inet" => NpgsqlDbType.Inet,
            "float8" => NpgsqlDbType.Double,
            "float4" => NpgsqlDbType.Real,
            _ => null,
        };

        if (c.ElementTypeName is { } elem)
        {
            return Scalar(elem) is { } e ? NpgsqlDbType.Array | e : null;
        }

        return Scalar(c.TypeName);
    }

    /// <summary>Writes one row; the values follow the column list given to <see cref="OpenAsync"/>.</summary>
    public void WriteRow(object?[] values)
    {
        if (_binary is not null)
        {
            _binary.StartRow();
            for (var i = 0; i < values.Length; i++)
            {
                var v = values[i];
                if (v is null)
                {
                    _binary.WriteNull();
                    continue;
                }

                switch (_types[i])
                {
                    case NpgsqlDbType.Integer:
                        _binary.Write(Convert.ToInt32(v, CultureInfo.InvariantCulture), NpgsqlDbType.Integer);
                        break;
                    case NpgsqlDbType.Bigint:
                        _binary.Write(Convert.ToInt64(v, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint);
                        break;
                    case NpgsqlDbType.Smallint:
                        _binary.Write(Convert.ToInt16(v, CultureInfo.InvariantCulture), NpgsqlDbType.Smallint);
                        break;
                    case NpgsqlDbType.Numeric:
                        _binary.Write(Convert.ToDecimal(v, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric);
                        break;
                    case NpgsqlDbType.Uuid:
                        _binary.Write((Guid)v, NpgsqlDbType.Uuid);
                        break;
                    case NpgsqlDbType.Text or NpgsqlDbType.Varchar or NpgsqlDbType.Jsonb or NpgsqlDbType.Char:
                        _binary.Write((string)v, _types[i]);
                        break;
                    case NpgsqlDbType.TimestampTz:
                        _binary.Write((DateTime)v, NpgsqlDbType.TimestampTz);
                        break;
                    case NpgsqlDbType.Boolean:
                        _binary.Write((bool)v, NpgsqlDbType.Boolean);
                        break;
                    default:
                        _binary.Write(v, _types[i]);
                        break;
                }
            }
        }
        else
        {
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
        }

        Rows++;
    }

    /// <summary>
    /// Writes every row and completes the COPY; reports progress (<paramref name="expected"/> rows, stage
    /// <paramref name="stage"/> of <paramref name="stageCount"/>) and checks for cancellation every 50,000 rows.
    /// </summary>
    public async Task<long> WriteAllAsync(IEnumerable<object?[]> rows, string stageName, long expected, int stage, int stageCount, IProgress<SeedProgress>? progress, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            WriteRow(row);
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
        if (_binary is not null)
        {
            await _binary.CompleteAsync(ct);
            await _binary.DisposeAsync();
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

        // Not completed: cancel the COPY (the binary importer cancels on dispose without Complete).
        if (_binary is not null)
        {
            await _binary.DisposeAsync();
        }
        else if (_text is NpgsqlCopyTextWriter tw)
        {
            await tw.CancelAsync();
            await tw.DisposeAsync();
        }
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
