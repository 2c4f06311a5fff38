// The state machine below follows PostgreSQL 15's default text search parser, src/backend/tsearch/wparser_def.c
// (Portions Copyright (c) 1996-2022, PostgreSQL Global Development Group; PostgreSQL License). The action tables keep
// the C names (TPS_InAsciiWord becomes S.InAsciiWord, p_isasclet becomes T.AscLet, A_PUSH becomes Push) and the C
// order, row for row, so that they can be checked against the original.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Tk = TicketToken.Data.Seeding.TextSearch.PgTokenType;

namespace TicketToken.Data.Seeding.TextSearch;

/// <summary>
/// One token of <c>ts_parse('default', text)</c>: its type id (<see cref="PgTokenType"/>) and where its text lies in
/// the parsed string.
/// </summary>
internal readonly record struct PgToken(int Type, int Start, int Length);

/// <summary>
/// The token type ids of PostgreSQL's default text search parser, as <c>ts_token_type('default')</c> lists them (the
/// alias in each comment is the name <c>ts_debug</c> shows).
/// </summary>
internal static class PgTokenType
{
    /// <summary>asciiword: word, all ASCII letters.</summary>
    public const int AsciiWord = 1;

    /// <summary>word: word, all letters.</summary>
    public const int Word = 2;

    /// <summary>numword: word, letters and digits.</summary>
    public const int NumWord = 3;

    /// <summary>email: email address.</summary>
    public const int Email = 4;

    /// <summary>url: URL.</summary>
    public const int Url = 5;

    /// <summary>host: host name.</summary>
    public const int Host = 6;

    /// <summary>sfloat: scientific notation.</summary>
    public const int Scientific = 7;

    /// <summary>version: version number.</summary>
    public const int Version = 8;

    /// <summary>hword_numpart: hyphenated word part, letters and digits.</summary>
    public const int HWordNumPart = 9;

    /// <summary>hword_part: hyphenated word part, all letters.</summary>
    public const int HWordPart = 10;

    /// <summary>hword_asciipart: hyphenated word part, all ASCII.</summary>
    public const int HWordAsciiPart = 11;

    /// <summary>blank: space symbols (anything the other types do not take).</summary>
    public const int Blank = 12;

    /// <summary>tag: XML tag.</summary>
    public const int Tag = 13;

    /// <summary>protocol: protocol head.</summary>
    public const int Protocol = 14;

    /// <summary>numhword: hyphenated word, letters and digits.</summary>
    public const int NumHWord = 15;

    /// <summary>asciihword: hyphenated word, all ASCII.</summary>
    public const int AsciiHWord = 16;

    /// <summary>hword: hyphenated word, all letters.</summary>
    public const int HWord = 17;

    /// <summary>url_path: URL path.</summary>
    public const int UrlPath = 18;

    /// <summary>file: file or path name.</summary>
    public const int File = 19;

    /// <summary>float: decimal notation.</summary>
    public const int Decimal = 20;

    /// <summary>int: signed integer.</summary>
    public const int SignedInt = 21;

    /// <summary>uint: unsigned integer.</summary>
    public const int UnsignedInt = 22;

    /// <summary>entity: XML entity.</summary>
    public const int Entity = 23;
}

/// <summary>
/// PostgreSQL's default text search parser (the one behind <c>to_tsvector</c> and <c>ts_parse('default', …)</c>),
/// ported so that a bulk loader can know what PostgreSQL makes of a text without asking it: for any ASCII string
/// <see cref="Parse"/> yields exactly the tokens of <c>ts_parse('default', text)</c> on PostgreSQL 15 (in a UTF-8
/// database whose LC_CTYPE classifies ASCII as C does, such as C.UTF-8). It is the C parser's table-driven machine, not
/// a re-derivation of its grammar: the parser backtracks through a stack of saved positions, re-reads hyphenated words
/// part by part and runs nested parsers for hosts and URL paths, and what it makes of many strings is whatever that
/// machinery gives (<c>-1.2.3</c> is a blank <c>-</c> and the version <c>1.2.3</c>; the uuid
/// <c>15e87888-104b-4a9a-9c2d-5f82c1ab7a33</c> starts with the sfloat <c>15e87888</c> and the int <c>-104</c>), which
/// only the machine itself reproduces. Non-ASCII text is refused rather than guessed at: for it the C parser's classes
/// depend on the locale.
/// </summary>
internal static class PgDefaultParser
{
    // Flag bits of an action (A_* in the C).
    private const byte Next = 0x00;
    private const byte Bingo = 0x01;
    private const byte Pop = 0x02;
    private const byte Push = 0x04;
    private const byte Rerun = 0x08;
    private const byte Clear = 0x10;
    private const byte Merge = 0x20;
    private const byte ClrAll = 0x40;

    // Character classes of the ASCII characters (index 0 stands for the end of the string, which is in no class).
    private const byte CAlpha = 0x01;
    private const byte CDigit = 0x02;
    private const byte CSpace = 0x04;
    private const byte CXDigit = 0x08;
    private const byte CUrl = 0x10;

    /// <summary>The parser states (TParserState), in the C order.</summary>
    private enum S : byte
    {
        Base,
        InNumWord,
        InAsciiWord,
        InWord,
        InUnsignedInt,
        InSignedIntFirst,
        InSignedInt,
        InSpace,
        InUDecimalFirst,
        InUDecimal,
        InDecimalFirst,
        InDecimal,
        InVerVersion,
        InSVerVersion,
        InVersionFirst,
        InVersion,
        InMantissaFirst,
        InMantissaSign,
        InMantissa,
        InXMLEntityFirst,
        InXMLEntity,
        InXMLEntityNumFirst,
        InXMLEntityNum,
        InXMLEntityHexNumFirst,
        InXMLEntityHexNum,
        InXMLEntityEnd,
        InTagFirst,
        InXMLBegin,
        InTagCloseFirst,
        InTagName,
        InTagBeginEnd,
        InTag,
        InTagEscapeK,
        InTagEscapeKK,
        InTagBackSleshed,
        InTagEnd,
        InCommentFirst,
        InCommentLast,
        InComment,
        InCloseCommentFirst,
        InCloseCommentLast,
        InCommentEnd,
        InHostFirstDomain,
        InHostDomainSecond,
        InHostDomain,
        InPortFirst,
        InPort,
        InHostFirstAN,
        InHost,
        InEmail,
        InFileFirst,
        InFileTwiddle,
        InPathFirst,
        InPathFirstFirst,
        InPathSecond,
        InFile,
        InFileNext,
        InURLPathFirst,
        InURLPathStart,
        InURLPath,
        InFURL,
        InProtocolFirst,
        InProtocolSecond,
        InProtocolEnd,
        InHyphenAsciiWordFirst,
        InHyphenAsciiWord,
        InHyphenWordFirst,
        InHyphenWord,
        InHyphenNumWordFirst,
        InHyphenNumWord,
        InHyphenDigitLookahead,
        InParseHyphen,
        InParseHyphenHyphen,
        InHyphenWordPart,
        InHyphenAsciiWordPart,
        InHyphenNumWordPart,
        InHyphenUnsignedInt,
        Null, // "no state change" in an action; the last state (a fake value)
    }

    /// <summary>
    /// An action's test of the current character (the C's p_is* functions; <see cref="Any"/> is the NULL test that
    /// ends every table). For ASCII text in a UTF-8 database: p_isascii holds for every character, so p_isasclet is
    /// p_isalpha; p_isspecial (zero display width or a spacing mark) holds for none.
    /// </summary>
    private enum T : byte
    {
        Any,
        Eof,
        EqC,
        Alnum,
        NotAlnum,
        Alpha,
        AscLet,
        Digit,
        Space,
        XDigit,
        UrlChar,
        Special,

        // The tests from here on depend on the parser, not only on the character (see Scan).
        Ignore,
        StopHost,
        IsHost,
        IsURLPath,
    }

    /// <summary>An action's special handler (TParserSpecial).</summary>
    private enum Sp : byte
    {
        None,
        Tags,
        FURL,
        Hyphen,
        VerVersion,
    }

    /// <summary>One row of a state's action table (TParserStateActionItem).</summary>
    private readonly struct A(T test, char c, byte flags, S toState, byte type, Sp special = Sp.None)
    {
        public readonly T Test = test;
        public readonly char C = c;
        public readonly byte Flags = flags;
        public readonly S ToState = toState;
        public readonly byte Type = type;
        public readonly Sp Special = special;
    }

    /// <summary>
    /// A saved parser position (TParserPosition). The text is ASCII, so byte and character positions and lengths are
    /// the same; charlen is 1 before the end of the string and 0 at it, which <see cref="Machine.Get"/> derives from
    /// the position wherever the C reads it.
    /// </summary>
    private struct Position
    {
        public int Pos;
        public int LenToken;
        public S State;
        public short PushedAt; // index into Items of the action that pushed the next position, or -1 (NULL)
    }

    /// <summary>
    /// A parser (TParser) over the shared position stack: its positions are Stack[Bottom..Top], Top being the current
    /// one (prs->state) and each lower one its prev. A nested parser (TParserCopyInit) takes the slots above its
    /// caller's Top. Token, LenToken and Type are the last token found (prs->token, lenbytetoken, type).
    /// </summary>
    private struct Parser
    {
        public int Bottom;
        public int Top;
        public bool Ignore;
        public bool WantHost;
        public int Token;
        public int LenToken;
        public int Type;
    }

    private static readonly (S State, A[] Actions)[] Table =
    [
        (S.Base,
        [
            new(T.Eof, '\0', Next, S.Null, 0),
            new(T.EqC, '<', Push, S.InTagFirst, 0),
            new(T.Ignore, '\0', Next, S.InSpace, 0),
            new(T.AscLet, '\0', Next, S.InAsciiWord, 0),
            new(T.Alpha, '\0', Next, S.InWord, 0),
            new(T.Digit, '\0', Next, S.InUnsignedInt, 0),
            new(T.EqC, '-', Push, S.InSignedIntFirst, 0),
            new(T.EqC, '+', Push, S.InSignedIntFirst, 0),
            new(T.EqC, '&', Push, S.InXMLEntityFirst, 0),
            new(T.EqC, '~', Push, S.InFileTwiddle, 0),
            new(T.EqC, '/', Push, S.InFileFirst, 0),
            new(T.EqC, '.', Push, S.InPathFirstFirst, 0),
            new(T.Any, '\0', Next, S.InSpace, 0),
        ]),
        (S.InNumWord,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.NumWord),
            new(T.Alnum, '\0', Next, S.InNumWord, 0),
            new(T.Special, '\0', Next, S.InNumWord, 0),
            new(T.EqC, '@', Push, S.InEmail, 0),
            new(T.EqC, '/', Push, S.InFileFirst, 0),
            new(T.EqC, '.', Push, S.InFileNext, 0),
            new(T.EqC, '-', Push, S.InHyphenNumWordFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.NumWord),
        ]),
        (S.InAsciiWord,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.AsciiWord),
            new(T.AscLet, '\0', Next, S.Null, 0),
            new(T.EqC, '.', Push, S.InHostFirstDomain, 0),
            new(T.EqC, '.', Push, S.InFileNext, 0),
            new(T.EqC, '-', Push, S.InHostFirstAN, 0),
            new(T.EqC, '-', Push, S.InHyphenAsciiWordFirst, 0),
            new(T.EqC, '_', Push, S.InHostFirstAN, 0),
            new(T.EqC, '@', Push, S.InEmail, 0),
            new(T.EqC, ':', Push, S.InProtocolFirst, 0),
            new(T.EqC, '/', Push, S.InFileFirst, 0),
            new(T.Digit, '\0', Push, S.InHost, 0),
            new(T.Digit, '\0', Next, S.InNumWord, 0),
            new(T.Alpha, '\0', Next, S.InWord, 0),
            new(T.Special, '\0', Next, S.InWord, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.AsciiWord),
        ]),
        (S.InWord,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.Word),
            new(T.Alpha, '\0', Next, S.Null, 0),
            new(T.Special, '\0', Next, S.Null, 0),
            new(T.Digit, '\0', Next, S.InNumWord, 0),
            new(T.EqC, '-', Push, S.InHyphenWordFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.Word),
        ]),
        (S.InUnsignedInt,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.UnsignedInt),
            new(T.Digit, '\0', Next, S.Null, 0),
            new(T.EqC, '.', Push, S.InHostFirstDomain, 0),
            new(T.EqC, '.', Push, S.InUDecimalFirst, 0),
            new(T.EqC, 'e', Push, S.InMantissaFirst, 0),
            new(T.EqC, 'E', Push, S.InMantissaFirst, 0),
            new(T.EqC, '-', Push, S.InHostFirstAN, 0),
            new(T.EqC, '_', Push, S.InHostFirstAN, 0),
            new(T.EqC, '@', Push, S.InEmail, 0),
            new(T.AscLet, '\0', Push, S.InHost, 0),
            new(T.Alpha, '\0', Next, S.InNumWord, 0),
            new(T.Special, '\0', Next, S.InNumWord, 0),
            new(T.EqC, '/', Push, S.InFileFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.UnsignedInt),
        ]),
        (S.InSignedIntFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Next | Clear, S.InSignedInt, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InSignedInt,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.SignedInt),
            new(T.Digit, '\0', Next, S.Null, 0),
            new(T.EqC, '.', Push, S.InDecimalFirst, 0),
            new(T.EqC, 'e', Push, S.InMantissaFirst, 0),
            new(T.EqC, 'E', Push, S.InMantissaFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.SignedInt),
        ]),
        (S.InSpace,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.Blank),
            new(T.EqC, '<', Bingo, S.Base, Tk.Blank),
            new(T.Ignore, '\0', Next, S.Null, 0),
            new(T.EqC, '-', Bingo, S.Base, Tk.Blank),
            new(T.EqC, '+', Bingo, S.Base, Tk.Blank),
            new(T.EqC, '&', Bingo, S.Base, Tk.Blank),
            new(T.EqC, '/', Bingo, S.Base, Tk.Blank),
            new(T.NotAlnum, '\0', Next, S.InSpace, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.Blank),
        ]),
        (S.InUDecimalFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Clear, S.InUDecimal, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InUDecimal,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.Decimal),
            new(T.Digit, '\0', Next, S.InUDecimal, 0),
            new(T.EqC, '.', Push, S.InVersionFirst, 0),
            new(T.EqC, 'e', Push, S.InMantissaFirst, 0),
            new(T.EqC, 'E', Push, S.InMantissaFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.Decimal),
        ]),
        (S.InDecimalFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Clear, S.InDecimal, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InDecimal,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.Decimal),
            new(T.Digit, '\0', Next, S.InDecimal, 0),
            new(T.EqC, '.', Push, S.InVerVersion, 0),
            new(T.EqC, 'e', Push, S.InMantissaFirst, 0),
            new(T.EqC, 'E', Push, S.InMantissaFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.Decimal),
        ]),
        (S.InVerVersion,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Rerun, S.InSVerVersion, 0, Sp.VerVersion),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InSVerVersion,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Bingo | ClrAll, S.InUnsignedInt, Tk.Blank),
            new(T.Any, '\0', Next, S.Null, 0),
        ]),
        (S.InVersionFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Clear, S.InVersion, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InVersion,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.Version),
            new(T.Digit, '\0', Next, S.InVersion, 0),
            new(T.EqC, '.', Push, S.InVersionFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.Version),
        ]),
        (S.InMantissaFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Clear, S.InMantissa, 0),
            new(T.EqC, '+', Next, S.InMantissaSign, 0),
            new(T.EqC, '-', Next, S.InMantissaSign, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InMantissaSign,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Clear, S.InMantissa, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InMantissa,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.Scientific),
            new(T.Digit, '\0', Next, S.InMantissa, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.Scientific),
        ]),
        (S.InXMLEntityFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '#', Next, S.InXMLEntityNumFirst, 0),
            new(T.AscLet, '\0', Next, S.InXMLEntity, 0),
            new(T.EqC, ':', Next, S.InXMLEntity, 0),
            new(T.EqC, '_', Next, S.InXMLEntity, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InXMLEntity,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Alnum, '\0', Next, S.InXMLEntity, 0),
            new(T.EqC, ':', Next, S.InXMLEntity, 0),
            new(T.EqC, '_', Next, S.InXMLEntity, 0),
            new(T.EqC, '.', Next, S.InXMLEntity, 0),
            new(T.EqC, '-', Next, S.InXMLEntity, 0),
            new(T.EqC, ';', Next, S.InXMLEntityEnd, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InXMLEntityNumFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, 'x', Next, S.InXMLEntityHexNumFirst, 0),
            new(T.EqC, 'X', Next, S.InXMLEntityHexNumFirst, 0),
            new(T.Digit, '\0', Next, S.InXMLEntityNum, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InXMLEntityNum,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Next, S.InXMLEntityNum, 0),
            new(T.EqC, ';', Next, S.InXMLEntityEnd, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InXMLEntityHexNumFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.XDigit, '\0', Next, S.InXMLEntityHexNum, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InXMLEntityHexNum,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.XDigit, '\0', Next, S.InXMLEntityHexNum, 0),
            new(T.EqC, ';', Next, S.InXMLEntityEnd, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InXMLEntityEnd,
        [
            new(T.Any, '\0', Bingo | Clear, S.Base, Tk.Entity),
        ]),
        (S.InTagFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '/', Push, S.InTagCloseFirst, 0),
            new(T.EqC, '!', Push, S.InCommentFirst, 0),
            new(T.EqC, '?', Push, S.InXMLBegin, 0),
            new(T.AscLet, '\0', Push, S.InTagName, 0),
            new(T.EqC, ':', Push, S.InTagName, 0),
            new(T.EqC, '_', Push, S.InTagName, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InXMLBegin,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, 'x', Next, S.InTag, 0), // <?xml ... (this accepts <?xZ too)
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InTagCloseFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Next, S.InTagName, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InTagName,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '/', Next, S.InTagBeginEnd, 0), // <br/>
            new(T.EqC, '>', Next, S.InTagEnd, 0, Sp.Tags),
            new(T.Space, '\0', Next, S.InTag, 0, Sp.Tags),
            new(T.Alnum, '\0', Next, S.Null, 0),
            new(T.EqC, ':', Next, S.Null, 0),
            new(T.EqC, '_', Next, S.Null, 0),
            new(T.EqC, '.', Next, S.Null, 0),
            new(T.EqC, '-', Next, S.Null, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InTagBeginEnd,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '>', Next, S.InTagEnd, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InTag,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '>', Next, S.InTagEnd, 0, Sp.Tags),
            new(T.EqC, '\'', Next, S.InTagEscapeK, 0),
            new(T.EqC, '"', Next, S.InTagEscapeKK, 0),
            new(T.AscLet, '\0', Next, S.Null, 0),
            new(T.Digit, '\0', Next, S.Null, 0),
            new(T.EqC, '=', Next, S.Null, 0),
            new(T.EqC, '-', Next, S.Null, 0),
            new(T.EqC, '_', Next, S.Null, 0),
            new(T.EqC, '#', Next, S.Null, 0),
            new(T.EqC, '/', Next, S.Null, 0),
            new(T.EqC, ':', Next, S.Null, 0),
            new(T.EqC, '.', Next, S.Null, 0),
            new(T.EqC, '&', Next, S.Null, 0),
            new(T.EqC, '?', Next, S.Null, 0),
            new(T.EqC, '%', Next, S.Null, 0),
            new(T.EqC, '~', Next, S.Null, 0),
            new(T.Space, '\0', Next, S.Null, 0, Sp.Tags),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InTagEscapeK,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '\\', Push, S.InTagBackSleshed, 0),
            new(T.EqC, '\'', Next, S.InTag, 0),
            new(T.Any, '\0', Next, S.InTagEscapeK, 0),
        ]),
        (S.InTagEscapeKK,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '\\', Push, S.InTagBackSleshed, 0),
            new(T.EqC, '"', Next, S.InTag, 0),
            new(T.Any, '\0', Next, S.InTagEscapeKK, 0),
        ]),
        (S.InTagBackSleshed,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Any, '\0', Merge, S.Null, 0),
        ]),
        (S.InTagEnd,
        [
            new(T.Any, '\0', Bingo | ClrAll, S.Base, Tk.Tag),
        ]),
        (S.InCommentFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '-', Next, S.InCommentLast, 0),
            new(T.EqC, 'D', Next, S.InTag, 0), // <!DOCTYPE ...>
            new(T.EqC, 'd', Next, S.InTag, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InCommentLast,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '-', Next, S.InComment, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InComment,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '-', Next, S.InCloseCommentFirst, 0),
            new(T.Any, '\0', Next, S.Null, 0),
        ]),
        (S.InCloseCommentFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '-', Next, S.InCloseCommentLast, 0),
            new(T.Any, '\0', Next, S.InComment, 0),
        ]),
        (S.InCloseCommentLast,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '-', Next, S.Null, 0),
            new(T.EqC, '>', Next, S.InCommentEnd, 0),
            new(T.Any, '\0', Next, S.InComment, 0),
        ]),
        (S.InCommentEnd,
        [
            new(T.Any, '\0', Bingo | ClrAll, S.Base, Tk.Tag),
        ]),
        (S.InHostFirstDomain,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Next, S.InHostDomainSecond, 0),
            new(T.Digit, '\0', Next, S.InHost, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InHostDomainSecond,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Next, S.InHostDomain, 0),
            new(T.Digit, '\0', Push, S.InHost, 0),
            new(T.EqC, '-', Push, S.InHostFirstAN, 0),
            new(T.EqC, '_', Push, S.InHostFirstAN, 0),
            new(T.EqC, '.', Push, S.InHostFirstDomain, 0),
            new(T.EqC, '@', Push, S.InEmail, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InHostDomain,
        [
            new(T.Eof, '\0', Bingo | ClrAll, S.Base, Tk.Host),
            new(T.AscLet, '\0', Next, S.InHostDomain, 0),
            new(T.Digit, '\0', Push, S.InHost, 0),
            new(T.EqC, ':', Push, S.InPortFirst, 0),
            new(T.EqC, '-', Push, S.InHostFirstAN, 0),
            new(T.EqC, '_', Push, S.InHostFirstAN, 0),
            new(T.EqC, '.', Push, S.InHostFirstDomain, 0),
            new(T.EqC, '@', Push, S.InEmail, 0),
            new(T.Digit, '\0', Pop, S.Null, 0),
            new(T.StopHost, '\0', Bingo | ClrAll, S.InURLPathStart, Tk.Host),
            new(T.EqC, '/', Push, S.InFURL, 0),
            new(T.Any, '\0', Bingo | ClrAll, S.Base, Tk.Host),
        ]),
        (S.InPortFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Next, S.InPort, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InPort,
        [
            new(T.Eof, '\0', Bingo | ClrAll, S.Base, Tk.Host),
            new(T.Digit, '\0', Next, S.InPort, 0),
            new(T.StopHost, '\0', Bingo | ClrAll, S.InURLPathStart, Tk.Host),
            new(T.EqC, '/', Push, S.InFURL, 0),
            new(T.Any, '\0', Bingo | ClrAll, S.Base, Tk.Host),
        ]),
        (S.InHostFirstAN,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Next, S.InHost, 0),
            new(T.AscLet, '\0', Next, S.InHost, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InHost,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Next, S.InHost, 0),
            new(T.AscLet, '\0', Next, S.InHost, 0),
            new(T.EqC, '@', Push, S.InEmail, 0),
            new(T.EqC, '.', Push, S.InHostFirstDomain, 0),
            new(T.EqC, '-', Push, S.InHostFirstAN, 0),
            new(T.EqC, '_', Push, S.InHostFirstAN, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InEmail,
        [
            new(T.StopHost, '\0', Pop, S.Null, 0),
            new(T.IsHost, '\0', Bingo | ClrAll, S.Base, Tk.Email),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InFileFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Next, S.InFile, 0),
            new(T.Digit, '\0', Next, S.InFile, 0),
            new(T.EqC, '.', Next, S.InPathFirst, 0),
            new(T.EqC, '_', Next, S.InFile, 0),
            new(T.EqC, '~', Push, S.InFileTwiddle, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InFileTwiddle,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Next, S.InFile, 0),
            new(T.Digit, '\0', Next, S.InFile, 0),
            new(T.EqC, '_', Next, S.InFile, 0),
            new(T.EqC, '/', Next, S.InFileFirst, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InPathFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Next, S.InFile, 0),
            new(T.Digit, '\0', Next, S.InFile, 0),
            new(T.EqC, '_', Next, S.InFile, 0),
            new(T.EqC, '.', Next, S.InPathSecond, 0),
            new(T.EqC, '/', Next, S.InFileFirst, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InPathFirstFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '.', Next, S.InPathSecond, 0),
            new(T.EqC, '/', Next, S.InFileFirst, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InPathSecond,
        [
            new(T.Eof, '\0', Bingo | Clear, S.Base, Tk.File),
            new(T.EqC, '/', Next | Push, S.InFileFirst, 0),
            new(T.EqC, '/', Bingo | Clear, S.Base, Tk.File),
            new(T.Space, '\0', Bingo | Clear, S.Base, Tk.File),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InFile,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.File),
            new(T.AscLet, '\0', Next, S.InFile, 0),
            new(T.Digit, '\0', Next, S.InFile, 0),
            new(T.EqC, '.', Push, S.InFileNext, 0),
            new(T.EqC, '_', Next, S.InFile, 0),
            new(T.EqC, '-', Next, S.InFile, 0),
            new(T.EqC, '/', Push, S.InFileFirst, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.File),
        ]),
        (S.InFileNext,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Clear, S.InFile, 0),
            new(T.Digit, '\0', Clear, S.InFile, 0),
            new(T.EqC, '_', Clear, S.InFile, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InURLPathFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.UrlChar, '\0', Next, S.InURLPath, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InURLPathStart,
        [
            new(T.Any, '\0', Next, S.InURLPath, 0),
        ]),
        (S.InURLPath,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.UrlPath),
            new(T.UrlChar, '\0', Next, S.InURLPath, 0),
            new(T.Any, '\0', Bingo, S.Base, Tk.UrlPath),
        ]),
        (S.InFURL,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.IsURLPath, '\0', Bingo | ClrAll, S.Base, Tk.Url, Sp.FURL),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InProtocolFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '/', Next, S.InProtocolSecond, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InProtocolSecond,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.EqC, '/', Next, S.InProtocolEnd, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InProtocolEnd,
        [
            new(T.Any, '\0', Bingo | ClrAll, S.Base, Tk.Protocol),
        ]),
        (S.InHyphenAsciiWordFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.AscLet, '\0', Next, S.InHyphenAsciiWord, 0),
            new(T.Alpha, '\0', Next, S.InHyphenWord, 0),
            new(T.Digit, '\0', Next, S.InHyphenDigitLookahead, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InHyphenAsciiWord,
        [
            new(T.Eof, '\0', Bingo | ClrAll, S.InParseHyphen, Tk.AsciiHWord, Sp.Hyphen),
            new(T.AscLet, '\0', Next, S.InHyphenAsciiWord, 0),
            new(T.Alpha, '\0', Next, S.InHyphenWord, 0),
            new(T.Special, '\0', Next, S.InHyphenWord, 0),
            new(T.Digit, '\0', Next, S.InHyphenNumWord, 0),
            new(T.EqC, '-', Push, S.InHyphenAsciiWordFirst, 0),
            new(T.Any, '\0', Bingo | ClrAll, S.InParseHyphen, Tk.AsciiHWord, Sp.Hyphen),
        ]),
        (S.InHyphenWordFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Alpha, '\0', Next, S.InHyphenWord, 0),
            new(T.Digit, '\0', Next, S.InHyphenDigitLookahead, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InHyphenWord,
        [
            new(T.Eof, '\0', Bingo | ClrAll, S.InParseHyphen, Tk.HWord, Sp.Hyphen),
            new(T.Alpha, '\0', Next, S.InHyphenWord, 0),
            new(T.Special, '\0', Next, S.InHyphenWord, 0),
            new(T.Digit, '\0', Next, S.InHyphenNumWord, 0),
            new(T.EqC, '-', Push, S.InHyphenWordFirst, 0),
            new(T.Any, '\0', Bingo | ClrAll, S.InParseHyphen, Tk.HWord, Sp.Hyphen),
        ]),
        (S.InHyphenNumWordFirst,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Alpha, '\0', Next, S.InHyphenNumWord, 0),
            new(T.Digit, '\0', Next, S.InHyphenDigitLookahead, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InHyphenNumWord,
        [
            new(T.Eof, '\0', Bingo | ClrAll, S.InParseHyphen, Tk.NumHWord, Sp.Hyphen),
            new(T.Alnum, '\0', Next, S.InHyphenNumWord, 0),
            new(T.Special, '\0', Next, S.InHyphenNumWord, 0),
            new(T.EqC, '-', Push, S.InHyphenNumWordFirst, 0),
            new(T.Any, '\0', Bingo | ClrAll, S.InParseHyphen, Tk.NumHWord, Sp.Hyphen),
        ]),
        (S.InHyphenDigitLookahead,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Next, S.InHyphenDigitLookahead, 0),
            new(T.Alpha, '\0', Next, S.InHyphenNumWord, 0),
            new(T.Special, '\0', Next, S.InHyphenNumWord, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InParseHyphen,
        [
            new(T.Eof, '\0', Rerun, S.Base, 0),
            new(T.AscLet, '\0', Next, S.InHyphenAsciiWordPart, 0),
            new(T.Alpha, '\0', Next, S.InHyphenWordPart, 0),
            new(T.Digit, '\0', Push, S.InHyphenUnsignedInt, 0),
            new(T.EqC, '-', Push, S.InParseHyphenHyphen, 0),
            new(T.Any, '\0', Rerun, S.Base, 0),
        ]),
        (S.InParseHyphenHyphen,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Alnum, '\0', Bingo | Clear, S.InParseHyphen, Tk.Blank),
            new(T.Special, '\0', Bingo | Clear, S.InParseHyphen, Tk.Blank),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
        (S.InHyphenWordPart,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.HWordPart),
            new(T.Alpha, '\0', Next, S.InHyphenWordPart, 0),
            new(T.Special, '\0', Next, S.InHyphenWordPart, 0),
            new(T.Digit, '\0', Next, S.InHyphenNumWordPart, 0),
            new(T.Any, '\0', Bingo, S.InParseHyphen, Tk.HWordPart),
        ]),
        (S.InHyphenAsciiWordPart,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.HWordAsciiPart),
            new(T.AscLet, '\0', Next, S.InHyphenAsciiWordPart, 0),
            new(T.Alpha, '\0', Next, S.InHyphenWordPart, 0),
            new(T.Special, '\0', Next, S.InHyphenWordPart, 0),
            new(T.Digit, '\0', Next, S.InHyphenNumWordPart, 0),
            new(T.Any, '\0', Bingo, S.InParseHyphen, Tk.HWordAsciiPart),
        ]),
        (S.InHyphenNumWordPart,
        [
            new(T.Eof, '\0', Bingo, S.Base, Tk.HWordNumPart),
            new(T.Alnum, '\0', Next, S.InHyphenNumWordPart, 0),
            new(T.Special, '\0', Next, S.InHyphenNumWordPart, 0),
            new(T.Any, '\0', Bingo, S.InParseHyphen, Tk.HWordNumPart),
        ]),
        (S.InHyphenUnsignedInt,
        [
            new(T.Eof, '\0', Pop, S.Null, 0),
            new(T.Digit, '\0', Next, S.Null, 0),
            new(T.Alpha, '\0', Clear, S.InHyphenNumWordPart, 0),
            new(T.Special, '\0', Clear, S.InHyphenNumWordPart, 0),
            new(T.Any, '\0', Pop, S.Null, 0),
        ]),
    ];

    /// <summary>Every state's actions, one table after the other (the C's Actions[], flattened).</summary>
    private static readonly A[] Items = [.. Table.SelectMany(t => t.Actions)];

    /// <summary>Where each state's actions start in <see cref="Items"/>.</summary>
    private static readonly short[] First = Starts();

    /// <summary>The class bits of each ASCII character; entry 0 stands for the end of the string.</summary>
    private static readonly byte[] Classes = ClassTable();

    /// <summary>
    /// Where the C's search for an action stops, for every row and character. TParserGet tests a state's rows in
    /// order from the first (or, after a POP, from the row after the one that pushed) until one holds. All tests but
    /// the last four of <see cref="T"/> depend on the current character alone, so Scan[(row &lt;&lt; 7) | c] is the
    /// first row from row on whose test either holds for c (0 standing for the end of the string) or depends on the
    /// parser, in which case <see cref="Machine.Get"/> runs it and, if it fails, goes on from the next row.
    /// </summary>
    private static readonly short[] Scan = ScanTable();

    /// <summary>Scan from each state's first row: StateScan[(state &lt;&lt; 7) | c] = Scan[(First[state] &lt;&lt; 7) | c].</summary>
    private static readonly short[] StateScan = StateScanTable();

    /// <summary>The position stack of this thread's parses, kept between calls so that a parse allocates nothing.</summary>
    [ThreadStatic]
    private static Position[]? t_stack;

    /// <summary>
    /// Appends to <paramref name="tokens"/> every token <c>ts_parse('default', text)</c> returns for
    /// <paramref name="text"/>, in order, blanks included.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds a character outside U+0001..U+007F.</exception>
    /// <exception cref="InsufficientExecutionStackException">
    /// The nested host parsers go too deep (tens of thousands of levels, as in <c>x@1a@1a@…</c>), where PostgreSQL
    /// fails with "stack depth limit exceeded"; the two limits are close but not the same.
    /// </exception>
    public static void Parse(string text, List<PgToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        Parse(text.AsSpan(), tokens);
    }

    /// <inheritdoc cref="Parse(string, List{PgToken})"/>
    public static void Parse(ReadOnlySpan<char> text, List<PgToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (text.ContainsAnyExceptInRange('\u0001', '\u007F'))
        {
            throw new ArgumentException("Only ASCII text without NUL characters can be parsed.", nameof(text));
        }

        var machine = new Machine(text, t_stack ?? new Position[16]);
        var prs = new Parser();
        machine.Stack[0] = new Position { State = S.Base, PushedAt = -1 };
        while (machine.Get(ref prs))
        {
            tokens.Add(new PgToken(prs.Type, prs.Token, prs.LenToken));
        }

        t_stack = machine.Stack;
    }

    private static short[] Starts()
    {
        var first = new short[Table.Length];
        var at = 0;
        for (var i = 0; i < Table.Length; i++)
        {
            // The C asserts the same: the tables are in the order of the states.
            Debug.Assert((int)Table[i].State == i, "action tables out of state order");
            Debug.Assert(Table[i].Actions[^1].Test == T.Any, "an action table must end with an unconditional action");
            first[i] = (short)at;
            at += Table[i].Actions.Length;
        }

        Debug.Assert(Table.Length == (int)S.Null, "one action table per state");
        return first;
    }

    private static byte[] ClassTable()
    {
        var classes = new byte[128];
        for (var c = 1; c < 128; c++)
        {
            byte bits = 0;
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                bits |= CAlpha;
            }

            if (c is >= '0' and <= '9')
            {
                bits |= CDigit;
            }

            if (c is ' ' or >= '\t' and <= '\r')
            {
                bits |= CSpace;
            }

            if (c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F')
            {
                bits |= CXDigit;
            }

            // p_isurlchar: no spaces or control characters, nothing RFC 3986 disallows.
            if (c is > 0x20 and < 0x7F and not ('"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}'))
            {
                bits |= CUrl;
            }

            classes[c] = bits;
        }

        return classes;
    }

    private static short[] ScanTable()
    {
        var scan = new short[Items.Length << 7];
        for (var row = 0; row < Items.Length; row++)
        {
            for (var c = 0; c < 128; c++)
            {
                // Every table ends with an action for any character, so the search stays in the row's table.
                var j = row;
                while (Items[j].Test < T.Ignore && !CharTest(Items[j], c))
                {
                    j++;
                }

                scan[(row << 7) | c] = (short)j;
            }
        }

        return scan;
    }

    private static short[] StateScanTable()
    {
        var scan = new short[First.Length << 7];
        for (var state = 0; state < First.Length; state++)
        {
            Array.Copy(Scan, First[state] << 7, scan, state << 7, 128);
        }

        return scan;
    }

    /// <summary>Whether a test that depends on the character alone holds for <paramref name="c"/> (0: the end).</summary>
    private static bool CharTest(in A item, int c)
    {
        var cls = Classes[c];
        return item.Test switch
        {
            T.Any => true,
            T.Eof => c == 0,
            T.EqC => c == item.C,
            T.Alnum => (cls & (CAlpha | CDigit)) != 0,
            T.NotAlnum => (cls & (CAlpha | CDigit)) == 0, // true at the end too: the C tests the NUL after the text
            T.Alpha or T.AscLet => (cls & CAlpha) != 0,
            T.Digit => (cls & CDigit) != 0,
            T.Space => (cls & CSpace) != 0,
            T.XDigit => (cls & CXDigit) != 0,
            T.UrlChar => (cls & CUrl) != 0,
            T.Special => false,
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>The text being parsed and the position stack that its parser and nested parsers share.</summary>
    private ref struct Machine(ReadOnlySpan<char> text, Position[] stack)
    {
        private readonly ReadOnlySpan<char> _text = text;

        public Position[] Stack = stack;

        /// <summary>
        /// TParserGet: runs <paramref name="prs"/> from its current position to the end of its next token and
        /// returns whether it found one (then in prs.Type, prs.Token and prs.LenToken).
        /// </summary>
        /// <remarks>
        /// The current position (prs->state) lives in locals while this runs, and Stack[prs.Top] is only its slot:
        /// the C changes a pushed position only when it becomes current again (POP, MERGE), so only PUSH needs to
        /// store one and only POP and MERGE to load one. CLEAR drops the position below the current one, which
        /// then takes its slot; CLRALL drops them all.
        /// </remarks>
        public bool Get(ref Parser prs)
        {
            var text = _text;
            var items = Items;
            var scan = Scan;
            var stateScan = StateScan;
            var stack = Stack;
            var top = prs.Top;
            var bottom = prs.Bottom;

            ref var cur = ref stack[top];
            var pos = cur.Pos;
            var len = cur.LenToken;
            var state = (int)cur.State;
            if (pos >= text.Length)
            {
                return false;
            }

            prs.Token = pos;
            var pushedAt = -1; // the C's pushedAtAction of the current position: NULL
            byte flags;
            while (true)
            {
                // The C loops while posbyte <= lenstr, which always holds: no action moves past the end.
                int c = (uint)pos < (uint)text.Length ? text[pos] : 0; // 0: charlen is 0, the end of the string

                // Find the action by character class; after a POP, pick up at the next test.
                int i;
                if (pushedAt >= 0)
                {
                    i = scan[((pushedAt + 1) << 7) | c];
                    pushedAt = -1;
                }
                else
                {
                    i = stateScan[(state << 7) | c];
                }
                while (items[i].Test >= T.Ignore)
                {
                    bool hit;
                    switch (items[i].Test)
                    {
                        case T.Ignore:
                            hit = prs.Ignore;
                            break;
                        case T.StopHost:
                            // p_isstophost: true once after a host is wanted.
                            hit = prs.WantHost;
                            prs.WantHost = false;
                            break;
                        default:
                            // p_ishost, p_isURLPath: on success the position moves past the host or path.
                            var found = Nested(top, pos, items[i].Test == T.IsHost);
                            stack = Stack; // the nested parser may have grown it
                            hit = found >= 0;
                            if (hit)
                            {
                                pos += found;
                                len += found;
                            }

                            break;
                    }

                    if (hit)
                    {
                        break;
                    }

                    i = scan[((i + 1) << 7) | c];
                }

                ref readonly var item = ref items[i];
                flags = item.Flags;

                if (flags == Next && item.Special == Sp.None)
                {
                    // The common case: set the new state if there is one, stop at the end or move forward.
                    if (item.ToState != S.Null)
                    {
                        state = (int)item.ToState;
                    }

                    if (pos >= text.Length)
                    {
                        break;
                    }

                    pos++;
                    len++;
                    continue;
                }

                // Call the special handler if there is one.
                switch (item.Special)
                {
                    case Sp.None:
                        break;
                    case Sp.Tags:
                        SpecialTags(ref prs, len);
                        break;
                    case Sp.FURL:
                        prs.WantHost = true;
                        pos -= len;
                        break;
                    case Sp.Hyphen:
                        pos -= len;
                        break;
                    case Sp.VerVersion:
                        pos -= len;
                        len = 0;
                        break;
                }

                // BINGO: the token is found.
                if ((flags & Bingo) != 0)
                {
                    prs.LenToken = len;
                    len = 0;
                    prs.Type = item.Type;
                }

                // Do the stack actions of the flags.
                if ((flags & Pop) != 0)
                {
                    // Pop the stored state.
                    Debug.Assert(top > bottom, "pop of the last state");
                    top--;
                    ref var popped = ref stack[top];
                    pos = popped.Pos;
                    len = popped.LenToken;
                    state = (int)popped.State;
                    pushedAt = popped.PushedAt;
                }
                else if ((flags & Push) != 0)
                {
                    // Push (store) the state, remembering where; the current position is a copy of it.
                    if (top + 1 >= stack.Length)
                    {
                        Array.Resize(ref Stack, stack.Length * 2);
                        stack = Stack;
                    }

                    stack[top] = new Position { Pos = pos, LenToken = len, State = (S)state, PushedAt = (short)i };
                    top++;
                }
                else if ((flags & Clear) != 0)
                {
                    // Clear the previous pushed state.
                    Debug.Assert(top > bottom, "clear without a pushed state");
                    top--;
                }
                else if ((flags & ClrAll) != 0)
                {
                    // Clear all previous pushed states.
                    top = bottom;
                }
                else if ((flags & Merge) != 0)
                {
                    // Merge the current position into the pushed state, which becomes current.
                    Debug.Assert(top > bottom, "merge without a pushed state");
                    top--;
                    state = (int)stack[top].State;
                    pushedAt = stack[top].PushedAt;
                }

                // Set the new state if there is one.
                if (item.ToState != S.Null)
                {
                    state = (int)item.ToState;
                }

                // Stop at a token, or at the end of the string unless told to rerun.
                if ((flags & Bingo) != 0 || (pos >= text.Length && (flags & Rerun) == 0))
                {
                    break;
                }

                // Go round again on a rerun or a restored state.
                if ((flags & (Rerun | Pop)) != 0)
                {
                    continue;
                }

                // Move forward (charlen is 1 here: the position is before the end).
                pos++;
                len++;
            }

            stack[top] = new Position { Pos = pos, LenToken = len, State = (S)state, PushedAt = (short)pushedAt };
            prs.Top = top;
            return (flags & Bingo) != 0;
        }

        /// <summary>
        /// SpecialTags: entering &lt;script or &lt;style starts ignoring the text, &lt;/script or &lt;/style stops it.
        /// </summary>
        private readonly void SpecialTags(ref Parser prs, int lenToken)
        {
            switch (lenToken)
            {
                case 8:
                    if (TokenStartsWith(prs.Token, "</script"))
                    {
                        prs.Ignore = false;
                    }

                    break;
                case 7:
                    if (TokenStartsWith(prs.Token, "</style"))
                    {
                        prs.Ignore = false;
                    }
                    else if (TokenStartsWith(prs.Token, "<script"))
                    {
                        prs.Ignore = true;
                    }

                    break;
                case 6:
                    if (TokenStartsWith(prs.Token, "<style"))
                    {
                        prs.Ignore = true;
                    }

                    break;
                default:
                    break;
            }
        }

        /// <summary>pg_strncasecmp(token, lower, lower.Length) == 0, for a lowercase ASCII <paramref name="lower"/>.</summary>
        private readonly bool TokenStartsWith(int token, string lower)
        {
            if (token + lower.Length > _text.Length)
            {
                return false; // pg_strncasecmp stops at the NUL after the text: no match
            }

            for (var k = 0; k < lower.Length; k++)
            {
                var ch = _text[token + k];
                if (ch is >= 'A' and <= 'Z')
                {
                    ch = (char)(ch + ('a' - 'A'));
                }

                if (ch != lower[k])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// p_ishost and p_isURLPath: runs a nested parser (TParserCopyInit) on the rest of the string from
        /// <paramref name="pos"/>, its stack above the caller's current slot <paramref name="top"/>, and returns the
        /// length of the host (or URL path) it finds there first, or -1. For a host the nested parser starts in the
        /// base state wanting a host; for a path it starts in TPS_InURLPathFirst over a base state it falls back to.
        /// </summary>
        private int Nested(int top, int pos, bool host)
        {
            var bottom = top + 1;
            if (bottom + 2 > Stack.Length)
            {
                Array.Resize(ref Stack, Math.Max(Stack.Length * 2, bottom + 2));
            }

            Stack[bottom] = new Position { Pos = pos, State = S.Base, PushedAt = -1 };
            var sub = new Parser { Bottom = bottom, Top = bottom, WantHost = host };
            if (!host)
            {
                Stack[bottom + 1] = new Position { Pos = pos, State = S.InURLPathFirst, PushedAt = -1 };
                sub.Top = bottom + 1;
            }

            // The C checks the stack depth here, before recursing; this throws InsufficientExecutionStackException.
            RuntimeHelpers.EnsureSufficientExecutionStack();
            return Get(ref sub) && sub.Type == (host ? Tk.Host : Tk.UrlPath) ? sub.LenToken : -1;
        }
    }
}
