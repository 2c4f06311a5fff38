using System.Buffers.Binary;

namespace TicketToken.Data.Seeding;

/// <summary>
/// A small, allocation-free SplitMix64 generator. Every stream is derived from (seed, stream name, index), so any
/// row can be recomputed independently of the others (the core seeder walks the order stream once per table).
/// </summary>
internal struct Rng
{
    private ulong _state;

    public Rng(ulong state) => _state = state;

    public static Rng For(int seed, string stream, long index) => new(Mix(StableHash(stream) ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL), (ulong)index));

    public static ulong StableHash(string s)
    {
        // FNV-1a: string.GetHashCode is randomised per process.
        var h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h ^= c;
            h *= 1099511628211UL;
        }

        return h;
    }

    public static ulong Mix(ulong a, ulong b)
    {
        var z = a + (b * 0xD1B54A32D192ED03UL) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextU64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, max).</summary>
    public int Next(int max) => max <= 1 ? 0 : (int)((NextU64() >> 1) % (ulong)max);

    /// <summary>Uniform in [min, maxExclusive).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public long NextLong(long min, long maxExclusive) => maxExclusive - min <= 1 ? min : min + (long)((NextU64() >> 1) % (ulong)(maxExclusive - min));

    public double NextDouble() => (NextU64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public string Hex(int length)
    {
        const string digits = "0123456789abcdef";
        return string.Create(length, NextU64(), static (span, s) =>
        {
            var st = new Rng(s);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = digits[(int)(st.NextU64() & 15)];
            }
        });
    }

    public string Base58(int length)
    {
        const string digits = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        return string.Create(length, NextU64(), static (span, s) =>
        {
            var st = new Rng(s);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = digits[(int)(st.NextU64() % 58)];
            }
        });
    }
}

/// <summary>Deterministic UUIDs: the same (seed, stream, index) always gives the same version-4-shaped UUID.</summary>
internal readonly struct SeedIds
{
    private readonly int _seed;

    public SeedIds(int seed) => _seed = seed;

    public Guid Id(string stream, long index)
    {
        var r = Rng.For(_seed, stream, index);
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, r.NextU64());
        BinaryPrimitives.WriteUInt64LittleEndian(b[8..], r.NextU64());
        b[7] = (byte)((b[7] & 0x0F) | 0x40); // version 4 (Guid byte order: the version is in the high nibble of byte 7)
        b[8] = (byte)((b[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(b);
    }

    // Slots keep this far from their edges, so setting the version bits (the 16 low bits of the high half hold them)
    // cannot carry an id into a neighbouring slot.
    private const ulong SlotMargin = 1UL << 16;

    /// <summary>
    /// A random version 4 UUID for position <paramref name="position"/> of <paramref name="count"/>, above every
    /// lower position's (as PostgreSQL compares uuids, byte by byte): the high 64 bits are cut into
    /// <paramref name="count"/> slots of equal width and each position draws its id at random inside its own. The ids
    /// of a stream cover the range as evenly as random ids would (all but its top <paramref name="count"/> values of
    /// 2^64), in the order their rows are written (ADR 0003, "Rows in index order"). 64-bit arithmetic only: it runs for
    /// every row of the large seed, some tens of millions of times.
    /// </summary>
    public Guid Ascending(string stream, long position, long count)
    {
        if (count <= 0 || count > 1L << 44 || (ulong)position >= (ulong)count)
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"Position {position} is not one of {count}.");
        }

        var width = ulong.MaxValue / (ulong)count;
        var r = Rng.For(_seed, stream, position);
        var high = ((ulong)position * width) + SlotMargin + Math.BigMul(r.NextU64(), width - (2 * SlotMargin), out _);
        high = (high & ~0xF000UL) | 0x4000UL; // version 4: the high nibble of the UUID's byte 6
        var low = (r.NextU64() & 0x3FFF_FFFF_FFFF_FFFFUL) | 0x8000_0000_0000_0000UL; // RFC 4122 variant
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(b, high);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], low);
        return new Guid(b, bigEndian: true);
    }
}
