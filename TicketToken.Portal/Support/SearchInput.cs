using System.Globalization;
using System.Text.RegularExpressions;

namespace TicketToken.Portal.Support;

/// <summary>What a search term looks like; each shape selects the few index-backed lookups worth running.</summary>
[Flags]
public enum SearchShape
{
    None = 0,
    OrderNumber = 1,
    Email = 2,
    Uuid = 4,
    LastFour = 8,
    Wallet = 16,
    Phone = 32,
    Name = 64,
    TicketCode = 128,
    PaymentReference = 256,
    Digits = 512,
}

/// <summary>The classified search term: its shapes and the normalised forms the queries use.</summary>
public sealed partial record SearchInput(string Text, SearchShape Shapes)
{
    public const int MinimumLength = 2;
    public const int MaximumLength = 200;

    /// <summary>The term's words (letters and digits), lower-case: the name and fuzzy-email lookups use them.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];

    /// <summary>The term's digits only (phone numbers, partial order numbers).</summary>
    public string Digits { get; init; } = "";

    public Guid? Uuid { get; init; }

    public bool Has(SearchShape shape) => (Shapes & shape) != 0;

    public static SearchInput Classify(string? raw)
    {
        var text = (raw ?? "").Trim();
        if (text.Length > MaximumLength)
        {
            text = text[..MaximumLength];
        }

        var words = WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).Where(w => w.Length > 0).Distinct().ToList();
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        if (text.Length < MinimumLength)
        {
            return new SearchInput(text, SearchShape.None) { Words = words, Digits = digits };
        }

        var shapes = SearchShape.None;
        Guid? uuid = null;
        if (Guid.TryParse(text, out var g))
        {
            shapes |= SearchShape.Uuid;
            uuid = g;
        }
        else if (text.Contains('@', StringComparison.Ordinal))
        {
            shapes |= SearchShape.Email;
        }
        else if (PaymentPattern().IsMatch(text))
        {
            shapes |= SearchShape.PaymentReference;
        }
        else if (TicketPattern().IsMatch(text))
        {
            shapes |= SearchShape.TicketCode;
        }
        else if (OrderPattern().IsMatch(text))
        {
            shapes |= SearchShape.OrderNumber;
        }
        else if (EvmWalletPattern().IsMatch(text) || SolanaWalletPattern().IsMatch(text))
        {
            shapes |= SearchShape.Wallet;
        }
        else if (text.Length == 4 && digits.Length == 4)
        {
            // Four digits: the end of a card, or the end of an order number.
            shapes |= SearchShape.LastFour | SearchShape.Digits;
        }
        else if (PhonePattern().IsMatch(text) && digits.Length >= 7)
        {
            // A long run of digits is a phone number or an order number's serial.
            shapes |= SearchShape.Phone | SearchShape.Digits;
        }
        else if (digits.Length == text.Length)
        {
            shapes |= SearchShape.Digits;
        }
        else if (text.Length >= 26 && !text.Any(char.IsWhiteSpace))
        {
            // A long single token that fits nothing else: most likely a wallet address in another encoding.
            shapes |= SearchShape.Wallet;
        }
        else if (words.Any(w => w.Any(char.IsAsciiLetter)))
        {
            shapes |= SearchShape.Name;
        }

        return new SearchInput(text, shapes) { Words = words, Digits = digits, Uuid = uuid };
    }

    /// <summary>A <c>to_tsquery('simple', ...)</c> text: every word's first three characters as a prefix, all required.
    /// Tolerates misspellings after the third character of each word; the results are then ranked by trigram similarity.</summary>
    public string PrefixQuery(int prefixLength = 3)
    {
        var parts = Words.Where(w => w.Length >= 2).Select(w => (w.Length > prefixLength ? w[..prefixLength] : w) + ":*").Distinct().ToList();
        return string.Join(" & ", parts);
    }

    /// <summary>
    /// Order numbers (<c>TT042-00001234</c>): PostgreSQL's parser reads <c>-00001234</c> as a signed integer, so the orders'
    /// <c>search_vector</c> holds the serial as the lexeme <c>-00001234</c>. Digit input becomes that lexeme (zero-padded),
    /// or a prefix of it when typed with its leading zeros.
    /// </summary>
    public string? OrderSerialQuery
    {
        get
        {
            if (!Has(SearchShape.Digits) || Digits.Length is 0 or > 8)
            {
                return null;
            }

            var padded = "-" + Digits.PadLeft(8, '0');
            return Digits.Length >= 5 && Digits[0] == '0' && Digits.Length < 8 ? $"{padded} | -{Digits}:*" : padded;
        }
    }

    /// <summary>An email's local part, for the fuzzy lookup (the domain is no separate word in the full-text index).</summary>
    public SearchInput LocalPart
    {
        get
        {
            var at = Text.IndexOf('@', StringComparison.Ordinal);
            return Has(SearchShape.Email) && at > 0
                ? this with { Words = WordPattern().Matches(Text[..at].ToLowerInvariant()).Select(m => m.Value).Distinct().ToList() }
                : this;
        }
    }

    public string Upper => Text.ToUpperInvariant();

    public string Lower => Text.ToLowerInvariant();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Shapes}: {Text}");

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"^(pi|ch|py|re|txn|tr)_[A-Za-z0-9_]{3,}$")]
    private static partial Regex PaymentPattern();

    [GeneratedRegex(@"^(ttqr:[0-9a-fA-F]{4,}|TKT-?[0-9-]*)$", RegexOptions.IgnoreCase)]
    private static partial Regex TicketPattern();

    [GeneratedRegex(@"^(TT[0-9]{0,3}(-[0-9]*)?|[A-Z]{1,4}-?[0-9]{3,}(-[0-9]+)?)$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"^0x[0-9a-fA-F]{6,40}$")]
    private static partial Regex EvmWalletPattern();

    [GeneratedRegex(@"^[1-9A-HJ-NP-Za-km-z]{32,44}$")]
    private static partial Regex SolanaWalletPattern();

    [GeneratedRegex(@"^\+?[0-9 ().-]+$")]
    private static partial Regex PhonePattern();
}
