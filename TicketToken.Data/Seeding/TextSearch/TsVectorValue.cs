using System.Buffers.Binary;
using System.Text;

namespace TicketToken.Data.Seeding.TextSearch;

/// <summary>
/// A tsvector computed in the seeder, held in PostgreSQL's binary send form (<c>tsvectorsend</c>: the number of
/// lexemes, then each lexeme's bytes and a NUL, its number of positions and each position as a uint16 whose top two
/// bits are the weight). <see cref="BinaryCopyEncoder"/> writes the bytes as they are; <see cref="ToString"/> gives
/// the text form (<c>'lexeme':1A,3C</c>) for a COPY in text format. A <see cref="TsVectorBuilder"/> reuses its one
/// value for every vector it builds.
/// </summary>
internal sealed class TsVectorValue
{
    private byte[] _bytes = [0, 0, 0, 0];
    private int _length = 4;

    public ReadOnlySpan<byte> SendForm => _bytes.AsSpan(0, _length);

    /// <summary>The text form PostgreSQL's <c>tsvectorout</c> gives for the same vector.</summary>
    public override string ToString()
    {
        var span = SendForm;
        var count = BinaryPrimitives.ReadInt32BigEndian(span);
        var at = 4;
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var end = span[at..].IndexOf((byte)0);
            var lexeme = Encoding.UTF8.GetString(span.Slice(at, end));
            at += end + 1;
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append('\'').Append(lexeme.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)).Append('\'');
            var positions = BinaryPrimitives.ReadInt16BigEndian(span[at..]);
            at += 2;
            for (var p = 0; p < positions; p++)
            {
                var entry = BinaryPrimitives.ReadUInt16BigEndian(span[at..]);
                at += 2;
                sb.Append(p == 0 ? ':' : ',').Append(entry & 0x3FFF);
                var weight = entry >> 14;
                if (weight > 0)
                {
                    sb.Append((char)('A' + 3 - weight));
                }
            }
        }

        return sb.ToString();
    }

    internal void Set(byte[] bytes, int length)
    {
        _bytes = bytes;
        _length = length;
    }
}
