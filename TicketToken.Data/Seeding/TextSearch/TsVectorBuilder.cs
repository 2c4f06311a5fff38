using System.Buffers.Binary;

namespace TicketToken.Data.Seeding.TextSearch;

/// <summary>
/// Builds <c>setweight(to_tsvector(cfg, a), wa) || setweight(to_tsvector(cfg, b), wb) || …</c> the way PostgreSQL
/// does (<c>parsetext</c>, <c>make_tsvector</c>, <c>setweight</c> and <c>tsvector_concat</c>): each part's tokens from
/// <see cref="PgDefaultParser"/>, each token that a dictionary takes at the next position (a stop word takes one and
/// gives no lexeme); a part's lexemes sorted in byte order with their positions merged; every position of a part
/// weighted; a part's positions shifted by the largest position of the vector before it. Not thread-safe: one
/// builder per writer.
/// </summary>
internal sealed class TsVectorBuilder
{
    private const int MaxStrLen = (1 << 11) - 1; // MAXSTRLEN: longer tokens are dropped with a notice
    private const int MaxEntryPos = 1 << 14; // MAXENTRYPOS: positions are capped below it
    private const int MaxNumPos = 256; // MAXNUMPOS: positions kept per lexeme

    // A million orders go through one builder: nothing below is allocated per vector once the buffers have grown,
    // except the send form itself.
    private readonly TextSearchDictionaries _dictionaries;
    private readonly List<PgToken> _tokens = new(16);
    private readonly WordOrder _order;
    private readonly List<Entry> _entries = new(16);
    private readonly List<Entry> _spare = new(16);
    private readonly List<int> _part = new(4);
    private readonly TsVectorValue _value = new();
    private byte[] _send = new byte[256];
    private char[] _chars = new char[256]; // this part's lexemes, end to end
    private int _charCount;
    private Word[] _words = new Word[16];
    private int _wordCount;

    public TsVectorBuilder(TextSearchDictionaries dictionaries)
    {
        _dictionaries = dictionaries;
        _order = new WordOrder(this);
    }

    /// <summary>Starts a new vector.</summary>
    public TsVectorBuilder Clear()
    {
        _spare.AddRange(_entries);
        _entries.Clear();
        return this;
    }

    /// <summary>The vector so far <c>|| setweight(to_tsvector(cfg, text), weight)</c>; weight is 'A', 'B', 'C' or 'D'.</summary>
    public TsVectorBuilder Append(ReadOnlySpan<char> text, char weight)
    {
        var w = weight switch
        {
            'A' or 'a' => 3,
            'B' or 'b' => 2,
            'C' or 'c' => 1,
            'D' or 'd' => 0,
            _ => throw new ArgumentOutOfRangeException(nameof(weight), weight, "A tsvector weight is A, B, C or D."),
        };

        // parsetext: each token a dictionary takes gets the next position.
        _tokens.Clear();
        PgDefaultParser.Parse(text, _tokens);
        _charCount = 0;
        _wordCount = 0;
        var position = 0;
        foreach (var token in _tokens)
        {
            if (token.Length >= MaxStrLen)
            {
                continue;
            }

            var span = text.Slice(token.Start, token.Length);
            switch (_dictionaries.Lexize(token.Type, span, out var lexemes))
            {
                case LexizeResult.Dropped:
                    continue;
                case LexizeResult.Lowercase:
                    position++;
                    AddWord(span, position, lower: true);
                    break;
                default:
                    position++;
                    foreach (var lexeme in lexemes!)
                    {
                        AddWord(lexeme, position, lower: false);
                    }

                    break;
            }
        }

        if (_wordCount == 0)
        {
            return this; // concatenating an empty vector changes nothing
        }

        // make_tsvector (uniqueWORD): sorted by lexeme then position; a lexeme's positions merged, capped and unique.
        Array.Sort(_words, 0, _wordCount, _order);

        // tsvector_concat: this part's positions move past the largest position of the vector so far.
        var shift = 0;
        foreach (var e in _entries)
        {
            foreach (var p in e.Positions)
            {
                shift = Math.Max(shift, p & 0x3FFF);
            }
        }

        var i = 0;
        while (i < _wordCount)
        {
            var lexeme = Chars(_words[i]);
            _part.Clear();
            _part.Add(Limit(_words[i].Position));
            for (i++; i < _wordCount && Chars(_words[i]).SequenceEqual(lexeme); i++)
            {
                var limited = Limit(_words[i].Position);
                if (_part.Count < MaxNumPos - 1 && _part[^1] != MaxEntryPos - 1 && _part[^1] != limited)
                {
                    _part.Add(limited);
                }
            }

            Entry? entry = null;
            foreach (var e in _entries)
            {
                if (e.Lexeme.SequenceEqual(lexeme))
                {
                    entry = e;
                    break;
                }
            }

            if (entry is null)
            {
                entry = Take(lexeme);
                _entries.Add(entry);
            }

            // add_pos: setweight's weight, the shifted position; stops when the lexeme is full or at the last position.
            foreach (var p in _part)
            {
                if (entry.Positions.Count >= MaxNumPos || (entry.Positions.Count > 0 && (entry.Positions[^1] & 0x3FFF) == MaxEntryPos - 1))
                {
                    break;
                }

                entry.Positions.Add((ushort)((w << 14) | Limit(p + shift)));
            }
        }

        return this;
    }

    /// <summary>
    /// The vector in PostgreSQL's binary send form. The builder has one value, which the next <see cref="Build"/>
    /// overwrites: a COPY row takes it before the next row is made, as it takes the row's reused value array.
    /// </summary>
    public TsVectorValue Build()
    {
        _entries.Sort(static (a, b) => a.Lexeme.SequenceCompareTo(b.Lexeme));
        var size = 4;
        foreach (var e in _entries)
        {
            size += e.Lexeme.Length + 1 + 2 + (2 * e.Positions.Count);
        }

        if (size > _send.Length)
        {
            _send = new byte[Math.Max(size, _send.Length * 2)];
        }

        var span = _send.AsSpan(0, size);
        BinaryPrimitives.WriteInt32BigEndian(span, _entries.Count);
        var at = 4;
        foreach (var e in _entries)
        {
            foreach (var c in e.Lexeme)
            {
                if (c is '\0' or > (char)0x7F)
                {
                    throw new InvalidOperationException($"Lexeme '{e.Lexeme.ToString()}' is not plain ASCII.");
                }

                span[at++] = (byte)c;
            }

            span[at++] = 0;
            BinaryPrimitives.WriteInt16BigEndian(span[at..], (short)e.Positions.Count);
            at += 2;
            foreach (var p in e.Positions)
            {
                BinaryPrimitives.WriteUInt16BigEndian(span[at..], p);
                at += 2;
            }
        }

        _value.Set(_send, size);
        return _value;
    }

    private static int Limit(int position) => position >= MaxEntryPos ? MaxEntryPos - 1 : position;

    private ReadOnlySpan<char> Chars(in Word word) => _chars.AsSpan(word.Start, word.Length);

    private void AddWord(ReadOnlySpan<char> lexeme, int position, bool lower)
    {
        if (_charCount + lexeme.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + lexeme.Length));
        }

        var into = _chars.AsSpan(_charCount, lexeme.Length);
        lexeme.CopyTo(into);
        if (lower)
        {
            // The simple dictionary's lower-casing; the parser passes ASCII only.
            for (var i = 0; i < into.Length; i++)
            {
                if (into[i] is >= 'A' and <= 'Z')
                {
                    into[i] = (char)(into[i] + 32);
                }
            }
        }

        if (_wordCount == _words.Length)
        {
            Array.Resize(ref _words, _words.Length * 2);
        }

        _words[_wordCount++] = new Word(_charCount, lexeme.Length, position);
        _charCount += lexeme.Length;
    }

    private Entry Take(ReadOnlySpan<char> lexeme)
    {
        Entry entry;
        if (_spare.Count > 0)
        {
            entry = _spare[^1];
            _spare.RemoveAt(_spare.Count - 1);
        }
        else
        {
            entry = new Entry();
        }

        entry.Set(lexeme);
        return entry;
    }

    private readonly record struct Word(int Start, int Length, int Position);

    /// <summary>compareWORD: by lexeme in byte order, then by position.</summary>
    private sealed class WordOrder(TsVectorBuilder builder) : IComparer<Word>
    {
        public int Compare(Word x, Word y)
        {
            var c = builder.Chars(x).SequenceCompareTo(builder.Chars(y));
            return c != 0 ? c : x.Position.CompareTo(y.Position);
        }
    }

    /// <summary>A lexeme of the vector and its positions (weight in the top two bits); reused from vector to vector.</summary>
    private sealed class Entry
    {
        private char[] _chars = new char[40];
        private int _length;

        public ReadOnlySpan<char> Lexeme => _chars.AsSpan(0, _length);

        public List<ushort> Positions { get; } = new(4);

        public void Set(ReadOnlySpan<char> lexeme)
        {
            if (lexeme.Length > _chars.Length)
            {
                _chars = new char[lexeme.Length];
            }

            lexeme.CopyTo(_chars);
            _length = lexeme.Length;
            Positions.Clear();
        }
    }
}
