using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TicketToken.Data.Seeding;

/// <summary>
/// Encodes rows in PostgreSQL's binary COPY format (the file format of <c>COPY … (FORMAT BINARY)</c>: a signature,
/// then per row a field count and each field as a length and its binary send form) into a growing buffer, for
/// <see cref="CopyTableWriter"/> to send through a raw COPY stream. Npgsql's binary importer does the same, but
/// resolves a converter and runs an async write for every value; for tens of millions of values that was most of the
/// seeder's CPU (ADR 0003). This covers only the column types the seeder writes in binary.
/// </summary>
internal sealed class BinaryCopyEncoder
{
    /// <summary>How one column is encoded.</summary>
    internal enum Kind
    {
        Uuid,
        Text,
        Jsonb,
        Int2,
        Int4,
        Int8,
        Numeric,
        Bool,
        TimestampTz,
        Date,
        Time,
        Inet,
        Float4,
        Float8,
    }

    /// <summary>A column's encoding: its kind, and for an array its elements' type OID.</summary>
    internal readonly record struct Column(string Name, Kind Kind, uint? ElementOid);

    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
    private static readonly long PgEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly int PgEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    private readonly Column[] _columns;
    private readonly string _table;
    private byte[] _buffer = new byte[1 << 16];

    public BinaryCopyEncoder(string table, Column[] columns)
    {
        _table = table;
        _columns = columns;
        Put(Signature);
        PutInt32(0); // flags
        PutInt32(0); // header extension length
    }

    /// <summary>Bytes encoded and not yet taken by <see cref="Reset"/>.</summary>
    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Pending => _buffer.AsMemory(0, Length);

    /// <summary>The covered types by name (<c>pg_type.typname</c>): how a value is encoded, and the type's OID (array_recv checks an array's element OID against the column's).</summary>
    private static readonly Dictionary<string, (Kind Kind, uint Oid)> Types = new(StringComparer.Ordinal)
    {
        ["bool"] = (Kind.Bool, 16),
        ["int8"] = (Kind.Int8, 20),
        ["int2"] = (Kind.Int2, 21),
        ["int4"] = (Kind.Int4, 23),
        ["text"] = (Kind.Text, 25),
        ["json"] = (Kind.Text, 114),
        ["float4"] = (Kind.Float4, 700),
        ["float8"] = (Kind.Float8, 701),
        ["inet"] = (Kind.Inet, 869),
        ["bpchar"] = (Kind.Text, 1042),
        ["varchar"] = (Kind.Text, 1043),
        ["date"] = (Kind.Date, 1082),
        ["time"] = (Kind.Time, 1083),
        ["timestamptz"] = (Kind.TimestampTz, 1184),
        ["numeric"] = (Kind.Numeric, 1700),
        ["uuid"] = (Kind.Uuid, 2950),
        ["jsonb"] = (Kind.Jsonb, 3802),
    };

    /// <summary>The column's kind for a PostgreSQL type name (<c>pg_type.typname</c>), or null when it is not covered.</summary>
    public static Kind? KindOf(string typeName) => Types.TryGetValue(typeName, out var t) ? t.Kind : null;

    /// <summary>The OID of a covered type, or null when it is not covered.</summary>
    public static uint? OidOf(string typeName) => Types.TryGetValue(typeName, out var t) ? t.Oid : null;

    public void Reset() => Length = 0;

    /// <summary>Appends one row; the values follow the columns. Throws (naming the column) on a value the column cannot take.</summary>
    public void WriteRow(object?[] values)
    {
        if (values.Length != _columns.Length)
        {
            throw new InvalidOperationException($"{_table}: a row has {values.Length} values for {_columns.Length} columns.");
        }

        PutInt16((short)values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var column = _columns[i];
            var value = values[i];
            try
            {
                if (value is null)
                {
                    PutInt32(-1);
                }
                else if (column.ElementOid is { } oid)
                {
                    WriteArray(column.Kind, oid, value);
                }
                else
                {
                    WriteField(column.Kind, value);
                }
            }
            catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or ArgumentException)
            {
                throw new InvalidOperationException($"{_table}.{column.Name}: cannot write {value!.GetType().Name} '{value}' as {column.Kind}{(column.ElementOid is null ? string.Empty : "[]")}: {e.Message}", e);
            }
        }
    }

    /// <summary>Appends the end-of-data marker.</summary>
    public void WriteTrailer() => PutInt16(-1);

    private void WriteArray(Kind kind, uint elementOid, object value)
    {
        if (value is not IList items || value is string)
        {
            throw new InvalidCastException("an array column takes an array");
        }

        var lengthAt = Reserve();
        var hasNull = false;
        foreach (var item in items)
        {
            hasNull |= item is null;
        }

        PutInt32(items.Count == 0 ? 0 : 1); // dimensions
        PutInt32(hasNull ? 1 : 0);
        PutInt32(unchecked((int)elementOid));
        if (items.Count > 0)
        {
            PutInt32(items.Count);
            PutInt32(1); // lower bound
            foreach (var item in items)
            {
                if (item is null)
                {
                    PutInt32(-1);
                }
                else
                {
                    WriteField(kind, item);
                }
            }
        }

        Complete(lengthAt);
    }

    private void WriteField(Kind kind, object value)
    {
        switch (kind)
        {
            case Kind.Uuid:
                PutInt32(16);
                ((Guid)value).TryWriteBytes(Space(16), bigEndian: true, out _);
                Length += 16;
                break;
            case Kind.Text:
                PutText((string)value, jsonbVersion: false);
                break;
            case Kind.Jsonb:
                PutText((string)value, jsonbVersion: true);
                break;
            case Kind.Int2:
                PutInt32(2);
                PutInt16(value is short int2 ? int2 : Convert.ToInt16(value, CultureInfo.InvariantCulture));
                break;
            case Kind.Int4:
                PutInt32(4);
                PutInt32(value is int int4 ? int4 : Convert.ToInt32(value, CultureInfo.InvariantCulture));
                break;
            case Kind.Int8:
                PutInt32(8);
                PutInt64(value is long int8 ? int8 : Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case Kind.Numeric:
                PutNumeric(value is decimal money ? money : Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case Kind.Bool:
                PutInt32(1);
                Space(1)[0] = (bool)value ? (byte)1 : (byte)0;
                Length++;
                break;
            case Kind.TimestampTz:
                PutInt32(8);
                PutInt64(Microseconds(value));
                break;
            case Kind.Date:
                PutInt32(4);
                PutInt32(Days(value switch
                {
                    DateOnly d => d,
                    DateTime dt => DateOnly.FromDateTime(dt),
                    _ => throw new InvalidCastException("a date column takes a DateOnly or a DateTime"),
                }));
                break;
            case Kind.Time:
                PutInt32(8);
                PutInt64(value switch
                {
                    TimeOnly t => t.Ticks / TimeSpan.TicksPerMicrosecond,
                    TimeSpan ts => ts.Ticks / TimeSpan.TicksPerMicrosecond,
                    _ => throw new InvalidCastException("a time column takes a TimeOnly or a TimeSpan"),
                });
                break;
            case Kind.Inet:
                PutInet((IPAddress)value);
                break;
            case Kind.Float4:
                PutInt32(4);
                BinaryPrimitives.WriteSingleBigEndian(Space(4), Convert.ToSingle(value, CultureInfo.InvariantCulture));
                Length += 4;
                break;
            case Kind.Float8:
                PutInt32(8);
                BinaryPrimitives.WriteDoubleBigEndian(Space(8), Convert.ToDouble(value, CultureInfo.InvariantCulture));
                Length += 8;
                break;
            default:
                throw new InvalidOperationException($"Unhandled column kind {kind}.");
        }
    }

    /// <summary>Days since 2000-01-01, as Npgsql writes a date: MinValue and MaxValue are -infinity and infinity.</summary>
    private static int Days(DateOnly date) =>
        date == DateOnly.MinValue ? int.MinValue : date == DateOnly.MaxValue ? int.MaxValue : date.DayNumber - PgEpochDay;

    /// <summary>Microseconds since 2000-01-01 UTC, as Npgsql writes a timestamptz: UTC values only; MinValue and MaxValue are -infinity and infinity.</summary>
    private static long Microseconds(object value)
    {
        var utc = value switch
        {
            DateTime { Kind: DateTimeKind.Utc } dt => dt,
            DateTime dt when dt == DateTime.MinValue || dt == DateTime.MaxValue => dt,
            DateTime => throw new InvalidCastException("a timestamptz column takes only UTC DateTimes (Kind = Utc)"),
            DateTimeOffset dto => dto.UtcDateTime,
            _ => throw new InvalidCastException("a timestamptz column takes a DateTime or a DateTimeOffset"),
        };

        if (utc == DateTime.MinValue)
        {
            return long.MinValue;
        }

        return utc == DateTime.MaxValue ? long.MaxValue : (utc.Ticks - PgEpochTicks) / TimeSpan.TicksPerMicrosecond;
    }

    private void PutText(string s, bool jsonbVersion)
    {
        var max = Encoding.UTF8.GetMaxByteCount(s.Length) + 1;
        var lengthAt = Reserve();
        var span = Space(max);
        var offset = 0;
        if (jsonbVersion)
        {
            span[0] = 1;
            offset = 1;
        }

        Length += offset + Encoding.UTF8.GetBytes(s, span[offset..]);
        Complete(lengthAt);
    }

    /// <summary>
    /// numeric_send's form: digit count, weight (of the first base-10000 digit), sign, display scale (the decimal's
    /// scale, as Npgsql sends it), then the base-10000 digits with no leading or trailing zero digit.
    /// </summary>
    private void PutNumeric(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];

        // Align the decimal point on a base-10000 digit boundary.
        var pad = (4 - (scale % 4)) % 4;
        for (var i = 0; i < pad; i++)
        {
            magnitude *= 10;
        }

        var fractionDigits = (scale + pad) / 4;
        Span<short> digits = stackalloc short[12]; // least significant first; 96 bits * 1000 < 10^33
        var n = 0;
        if (magnitude <= ulong.MaxValue)
        {
            // Money and counts fit in 64 bits: UInt128 division is several times slower.
            for (var small = (ulong)magnitude; small != 0; small /= 10000)
            {
                digits[n++] = (short)(ushort)(small % 10000);
            }
        }
        else
        {
            while (magnitude != 0)
            {
                digits[n++] = (short)(ushort)(magnitude % 10000);
                magnitude /= 10000;
            }
        }

        if (n == 0)
        {
            PutInt32(8);
            PutInt16(0);
            PutInt16(0);
            PutInt16(0);
            PutInt16((short)scale);
            return;
        }

        var low = 0;
        while (digits[low] == 0)
        {
            low++;
        }

        var count = n - low;
        PutInt32(8 + (2 * count));
        PutInt16((short)count);
        PutInt16((short)(n - 1 - fractionDigits));
        PutInt16(negative ? (short)0x4000 : (short)0);
        PutInt16((short)scale);
        for (var i = n - 1; i >= low; i--)
        {
            PutInt16(digits[i]);
        }
    }

    /// <summary>inet_send's form: family (PostgreSQL's 2 for IPv4, 3 for IPv6), prefix bits, is-cidr, address length, address.</summary>
    private void PutInet(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        PutInt32(4 + bytes.Length);
        var span = Space(4);
        span[0] = address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)3 : (byte)2;
        span[1] = (byte)(bytes.Length * 8);
        span[2] = 0;
        span[3] = (byte)bytes.Length;
        Length += 4;
        Put(bytes);
    }

    private int Reserve()
    {
        var at = Length;
        PutInt32(0);
        return at;
    }

    /// <summary>Writes the length of the field that starts after the slot at <paramref name="lengthAt"/>.</summary>
    private void Complete(int lengthAt) =>
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(lengthAt, 4), Length - lengthAt - 4);

    private void PutInt16(short v)
    {
        BinaryPrimitives.WriteInt16BigEndian(Space(2), v);
        Length += 2;
    }

    private void PutInt32(int v)
    {
        BinaryPrimitives.WriteInt32BigEndian(Space(4), v);
        Length += 4;
    }

    private void PutInt64(long v)
    {
        BinaryPrimitives.WriteInt64BigEndian(Space(8), v);
        Length += 8;
    }

    private void Put(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Space(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>A span of at least <paramref name="n"/> free bytes at the end of the buffer, which grows as needed.</summary>
    private Span<byte> Space(int n)
    {
        if (Length + n > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + n));
        }

        return _buffer.AsSpan(Length);
    }
}
