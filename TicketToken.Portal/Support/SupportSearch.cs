using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;

namespace TicketToken.Portal.Support;

public enum SearchKind
{
    Order,
    Customer,
    Ticket,
    Payment,
    Wallet,
}

/// <summary>One part of a displayed value; <see cref="Match"/> parts are highlighted.</summary>
public sealed record HighlightPart(string Text, bool Match);

/// <summary>One hit: what it is, where it leads, and which field matched.</summary>
public sealed record SearchHit(
    SearchKind Kind,
    Guid Id,
    Guid TenantId,
    string? TenantName,
    string Title,
    string? Detail,
    string Field,
    string Value,
    double Score,
    Guid? LinkId)
{
    /// <summary>The page a hit opens: orders on the order page, people on the customer page.</summary>
    public string Href => Kind switch
    {
        SearchKind.Order => $"/support/orders/{Id}",
        SearchKind.Customer => $"/support/customers/{Id}",
        SearchKind.Ticket when LinkId is { } order => $"/support/orders/{order}",
        SearchKind.Ticket => $"/explorer/ticket/tickets/{Id}",
        SearchKind.Payment when Field == "last4" => $"/explorer/payment/card_fingerprints/{Id}",
        SearchKind.Payment when LinkId is { } order => $"/support/orders/{order}",
        SearchKind.Payment => $"/explorer/payment/payment_transactions/{Id}",
        SearchKind.Wallet when LinkId is { } user => $"/support/customers/{user}",
        _ => $"/explorer/blockchain/wallet_addresses/{Id}",
    };
}

public sealed record SearchGroup(SearchKind Kind, IReadOnlyList<SearchHit> Hits);

public sealed record SearchResult(string Term, SearchShape Shapes, IReadOnlyList<SearchGroup> Groups, string? Message = null)
{
    public static SearchResult Empty(string term, string? message = null) => new(term, SearchShape.None, [], message);

    public IEnumerable<SearchHit> Hits => Groups.SelectMany(g => g.Hits);

    public int Count => Groups.Sum(g => g.Hits.Count);
}

/// <summary>The SQL one search runs: one statement (UNION ALL of a few index-backed lookups chosen by the term's shape).</summary>
public sealed record SearchPlan(string Sql, IReadOnlyList<(string Name, object Value, NpgsqlDbType Type)> Parameters)
{
    public bool IsEmpty => Sql.Length == 0;

    public void Bind(DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.CommandText = Sql;
        foreach (var (name, value, type) in Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        }
    }
}

public interface ISupportSearch
{
    Task<SearchResult> SearchAsync(ClaimsPrincipal user, string term, CancellationToken cancellationToken = default);
}

/// <summary>
/// The support search behind Ctrl-K. Who: support agents and administrators (staff, all tenants); every other role is
/// refused here, on the server. How: the term is classified (<see cref="SearchInput"/>) and only the lookups that fit its
/// shape run, as one UNION ALL statement of index-backed lookups (unique and btree indexes for exact and prefix matches;
/// the users' full-text GIN index with prefix terms, ranked by pg_trgm similarity, for names and misspelled emails), in
/// one read-only staff transaction, recorded once per search in the audit log (the UI searches after a debounce).
/// </summary>
public sealed class SupportSearch(CrossTenantAccess access) : ISupportSearch
{
    public const int PerKind = 8;
    public const string AuditPurpose = "support search";

    /// <summary>Support staff only: agents and administrators. Venue managers, finance and compliance have their own workspaces.</summary>
    public static bool CanSearch(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true && (user.IsInRole(PortalRoles.SupportAgent) || user.IsInRole(PortalRoles.Administrator));
    }

    public async Task<SearchResult> SearchAsync(ClaimsPrincipal user, string term, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!CanSearch(user))
        {
            return SearchResult.Empty(term ?? "", "Search is for support agents and administrators.");
        }

        var input = SearchInput.Classify(term);
        if (input.Shapes == SearchShape.None)
        {
            return SearchResult.Empty(input.Text, input.Text.Length < SearchInput.MinimumLength ? "Type at least two characters." : "Nothing to look up in this term.");
        }

        var plan = Plan(input);
        var hits = await access.StaffQueryAsync(
            $"{AuditPurpose} ({input.Shapes}): {input.Text}",
            (connection, ct) => RunAsync(connection, plan, ct),
            cancellationToken);
        return Group(input, hits);
    }

    internal static SearchResult Group(SearchInput input, IReadOnlyList<SearchHit> hits)
    {
        var groups = hits
            .GroupBy(h => h.Kind)
            .OrderBy(g => g.Key == PrimaryKind(input) ? -1 : (int)g.Key)
            .Select(g => new SearchGroup(g.Key, g.DistinctBy(h => (h.Id, h.Field)).OrderByDescending(h => h.Score).Take(PerKind).ToList()))
            .ToList();
        return new SearchResult(input.Text, input.Shapes, groups, groups.Count == 0 ? "No matches." : null);
    }

    /// <summary>The group shown first: what the term most likely names.</summary>
    internal static SearchKind PrimaryKind(SearchInput input) =>
        input.Has(SearchShape.Email) || input.Has(SearchShape.Name) || input.Has(SearchShape.Phone) ? SearchKind.Customer
        : input.Has(SearchShape.TicketCode) ? SearchKind.Ticket
        : input.Has(SearchShape.PaymentReference) || input.Has(SearchShape.LastFour) ? SearchKind.Payment
        : input.Has(SearchShape.Wallet) ? SearchKind.Wallet
        : SearchKind.Order;

    public static async Task<IReadOnlyList<SearchHit>> RunAsync(NpgsqlConnection connection, SearchPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty)
        {
            return [];
        }

        await using var command = connection.CreateCommand();
        plan.Bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ReadAsync(reader, cancellationToken);
    }

    public static async Task<IReadOnlyList<SearchHit>> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var hits = new List<SearchHit>();
        while (await reader.ReadAsync(cancellationToken))
        {
            hits.Add(new SearchHit(
                Enum.Parse<SearchKind>(reader.GetString(0), ignoreCase: true),
                reader.GetGuid(1),
                reader.GetGuid(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? "" : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6),
                reader.IsDBNull(7) ? "" : reader.GetString(7),
                reader.GetDouble(8),
                reader.IsDBNull(9) ? null : reader.GetGuid(9)));
        }

        return hits;
    }

    // Columns of every branch: kind, id, tenant_id, tenant, title, detail, field, value, score, link_id.
    private const string OrderColumns =
        "'order', o.id, o.tenant_id, " + "(SELECT tn.name::text FROM public.tenants tn WHERE tn.id = o.tenant_id)" + ", o.order_number::text, " +
        "o.status || ' · ' || to_char(o.total_cents / 100.0, 'FM999999990.00') || ' ' || o.currency || ' · ' || to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')";

    private const string CustomerColumns =
        "'customer', u.id, u.tenant_id, " + "(SELECT tn.name::text FROM public.tenants tn WHERE tn.id = u.tenant_id)" + ", " +
        "coalesce(nullif(btrim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')), ''), u.display_name, u.email)::text, " +
        "u.email || ' · ' || u.status || CASE WHEN u.locked_until > now() THEN ' · locked' ELSE '' END";

    private const string TicketColumns =
        "'ticket', t.id, t.tenant_id, " + "(SELECT tn.name::text FROM public.tenants tn WHERE tn.id = t.tenant_id)" + ", t.ticket_number::text, " +
        "coalesce(t.status, '') || coalesce(' · ' || t.section || ' row ' || t.\"row\" || ' seat ' || t.seat, '')";

    private const string TicketOrderLink =
        "(SELECT o.id FROM public.orders o WHERE o.payment_intent_id = t.payment_id AND t.payment_id IS NOT NULL LIMIT 1)";

    private const string PaymentColumns =
        "'payment', p.id, p.tenant_id, " + "(SELECT tn.name::text FROM public.tenants tn WHERE tn.id = p.tenant_id)" + ", " +
        "coalesce(p.stripe_payment_intent_id, p.id::text)::text, " +
        "p.type || ' · ' || p.status || ' · ' || to_char(p.amount, 'FM999999990.00') || ' ' || coalesce(p.currency, '')";

    /// <summary>The users' full-text document, written exactly as the expression of <c>idx_users_search</c> so that index serves it.</summary>
    private const string UserDocument =
        "to_tsvector('english'::regconfig, (((((((((COALESCE(u.username, ''::character varying))::text || ' '::text) || (COALESCE(u.display_name, ''::character varying))::text) || ' '::text) || (COALESCE(u.first_name, ''::character varying))::text) || ' '::text) || (COALESCE(u.last_name, ''::character varying))::text) || ' '::text) || (COALESCE(u.email, ''::character varying))::text))";

    /// <summary>How many full-text candidates are ranked by similarity, at most.</summary>
    private const int FuzzyCandidates = 500;

    /// <summary>The statement for a classified term (empty when the term fits no lookup).</summary>
    public static SearchPlan Plan(SearchInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var branches = new List<string>();
        var parameters = new List<(string, object, NpgsqlDbType)>();
        string P(object value, NpgsqlDbType type = NpgsqlDbType.Text)
        {
            var name = "p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add((name, value, type));
            return "@" + name;
        }

        void Add(string sql) => branches.Add("(" + sql + ")");
        var limit = PerKind.ToString(CultureInfo.InvariantCulture);

        if (input.Uuid is { } id)
        {
            var u = P(id, NpgsqlDbType.Uuid);
            Add($"SELECT {OrderColumns}, 'id', o.id::text, 1.0::float8, NULL::uuid FROM public.orders o WHERE o.id = {u}");
            Add($"SELECT {CustomerColumns}, 'id', u.id::text, 1.0::float8, NULL::uuid FROM public.users u WHERE u.id = {u}");
            Add($"SELECT {TicketColumns}, 'id', t.id::text, 1.0::float8, {TicketOrderLink} FROM public.tickets t WHERE t.id = {u}");
            Add($"SELECT {PaymentColumns}, 'id', p.id::text, 1.0::float8, p.order_id FROM public.payment_transactions p WHERE p.id = {u}");
        }

        if (input.Has(SearchShape.OrderNumber))
        {
            var (low, high) = PrefixRange(input.Upper);
            var lo = P(low);
            var hi = P(high);
            var exact = P(input.Upper);
            Add($"SELECT {OrderColumns}, 'order_number', o.order_number::text, CASE WHEN o.order_number = {exact} THEN 1.0 ELSE 0.9 END::float8, NULL::uuid " +
                $"FROM public.orders o WHERE o.order_number >= {lo} AND o.order_number < {hi} ORDER BY o.order_number LIMIT {limit}");
        }

        if (input.OrderSerialQuery is { } serial)
        {
            // The orders' own full-text index (search_vector) holds the serial part of each order number as a lexeme.
            var q = P(serial);
            Add($"SELECT {OrderColumns}, 'order_number', o.order_number::text, 0.8::float8, NULL::uuid " +
                $"FROM public.orders o WHERE o.search_vector @@ to_tsquery('simple', {q}) LIMIT {limit}");
        }

        if (input.Has(SearchShape.Email))
        {
            var email = P(input.Lower);
            Add($"SELECT {CustomerColumns}, 'email', u.email::text, 1.0::float8, NULL::uuid FROM public.users u WHERE u.email = {email} AND u.deleted_at IS NULL");
            Add($"SELECT {OrderColumns}, 'email', {email}, 0.95::float8, NULL::uuid FROM public.orders o " +
                $"WHERE o.user_id IN (SELECT u.id FROM public.users u WHERE u.email = {email} AND u.deleted_at IS NULL) ORDER BY o.created_at DESC LIMIT {limit}");
            if (input.LocalPart.PrefixQuery() is { Length: > 0 } prefixes)
            {
                var q = P(prefixes);
                Add($"SELECT {CustomerColumns}, 'email', u.email::text, similarity(u.email, {email})::float8, NULL::uuid " +
                    $"FROM (SELECT * FROM public.users u WHERE {UserDocument} @@ to_tsquery('simple', {q}) AND u.email <> {email} LIMIT {FuzzyCandidates}) u " +
                    $"WHERE similarity(u.email, {email}) >= 0.4 " +
                    // An exact match makes the fuzzy lookup moot: one index probe skips it.
                    $"AND NOT EXISTS (SELECT FROM public.users x WHERE x.email = {email} AND x.deleted_at IS NULL) " +
                    $"ORDER BY similarity(u.email, {email}) DESC LIMIT {limit}");
            }
        }

        if (input.Has(SearchShape.Name) && input.PrefixQuery() is { Length: > 0 } namePrefixes)
        {
            var q = P(namePrefixes);
            var text = P(input.Lower);
            const string fullName = "lower(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, ''))";
            Add($"SELECT {CustomerColumns}, 'name', (coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, ''))::text, " +
                $"greatest(similarity({fullName}, {text}), word_similarity({text}, {fullName}), similarity(lower(coalesce(u.display_name, '')), {text}))::float8, NULL::uuid " +
                $"FROM (SELECT * FROM public.users u WHERE {UserDocument} @@ to_tsquery('simple', {q}) LIMIT {FuzzyCandidates}) u " +
                $"WHERE greatest(similarity({fullName}, {text}), word_similarity({text}, {fullName})) >= 0.3 " +
                $"ORDER BY greatest(similarity({fullName}, {text}), word_similarity({text}, {fullName})) DESC LIMIT {limit}");
        }

        if (input.Has(SearchShape.Phone))
        {
            var variants = PhoneVariants(input.Digits);
            var phones = P(variants, NpgsqlDbType.Array | NpgsqlDbType.Text);
            Add($"SELECT {CustomerColumns}, 'phone', u.phone::text, 1.0::float8, NULL::uuid FROM public.users u WHERE u.phone = ANY({phones}) LIMIT {limit}");
        }

        if (input.Has(SearchShape.TicketCode))
        {
            if (input.Lower.StartsWith("ttqr:", StringComparison.Ordinal))
            {
                var (low, high) = PrefixRange(input.Lower);
                var lo = P(low);
                var hi = P(high);
                Add($"SELECT {TicketColumns}, 'qr_code', t.qr_code::text, 1.0::float8, {TicketOrderLink} FROM public.tickets t " +
                    $"WHERE t.qr_code >= {lo} AND t.qr_code < {hi} ORDER BY t.qr_code LIMIT {limit}");
            }
            else
            {
                var (low, high) = PrefixRange(input.Upper);
                var lo = P(low);
                var hi = P(high);
                Add($"SELECT {TicketColumns}, 'ticket_number', t.ticket_number::text, 1.0::float8, {TicketOrderLink} FROM public.tickets t " +
                    $"WHERE t.ticket_number >= {lo} AND t.ticket_number < {hi} ORDER BY t.ticket_number LIMIT {limit}");
            }
        }

        if (input.Has(SearchShape.PaymentReference))
        {
            var reference = P(input.Text);
            Add($"SELECT {OrderColumns}, 'payment_intent_id', o.payment_intent_id::text, 1.0::float8, NULL::uuid FROM public.orders o WHERE o.payment_intent_id = {reference} LIMIT {limit}");
            Add($"SELECT {PaymentColumns}, 'stripe_payment_intent_id', p.stripe_payment_intent_id::text, 1.0::float8, p.order_id FROM public.payment_transactions p WHERE p.stripe_payment_intent_id = {reference}");
            Add($"SELECT {PaymentColumns}, 'stripe_charge_id', p.stripe_charge_id::text, 1.0::float8, p.order_id FROM public.payment_transactions p WHERE p.stripe_charge_id = {reference} LIMIT {limit}");
        }

        if (input.Has(SearchShape.LastFour))
        {
            var last4 = P(input.Digits);
            Add("SELECT 'payment', c.id, '00000000-0000-0000-0000-000000000000'::uuid, NULL::text, " +
                "'Card ending ' || c.last4, coalesce(c.card_brand, 'card') || ' · ' || coalesce(c.card_type, '') || ' · ' || c.card_fingerprint, " +
                $"'last4', c.last4::text, 0.9::float8, NULL::uuid FROM public.card_fingerprints c WHERE c.last4 = {last4} ORDER BY c.last_used DESC NULLS LAST LIMIT {limit}");
        }

        if (input.Has(SearchShape.Wallet))
        {
            var wallet = P(input.Text);
            Add("SELECT 'wallet', w.id, w.tenant_id, (SELECT tn.name::text FROM public.tenants tn WHERE tn.id = w.tenant_id), w.wallet_address::text, " +
                "w.blockchain_type || CASE WHEN w.is_primary THEN ' · primary' ELSE '' END || CASE WHEN w.deleted_at IS NOT NULL THEN ' · disconnected' ELSE '' END, " +
                $"'wallet_address', w.wallet_address::text, 1.0::float8, w.user_id FROM public.wallet_addresses w WHERE w.wallet_address = {wallet} LIMIT {limit}");
            Add($"SELECT {TicketColumns}, 'token_mint', t.token_mint::text, 0.9::float8, {TicketOrderLink} FROM public.tickets t WHERE t.token_mint = {wallet} LIMIT {limit}");
        }

        return branches.Count == 0
            ? new SearchPlan("", [])
            : new SearchPlan(string.Join("\nUNION ALL\n", branches), parameters);
    }

    /// <summary>[prefix, next) in code-point order: a btree range that serves a prefix match.</summary>
    internal static (string Low, string High) PrefixRange(string prefix)
    {
        var last = prefix[^1];
        return (prefix, last == char.MaxValue ? prefix + char.MaxValue : prefix[..^1] + (char)(last + 1));
    }

    internal static string[] PhoneVariants(string digits)
    {
        var variants = new List<string> { digits, "+" + digits };
        if (digits.Length == 10)
        {
            variants.Add("+1" + digits);
            variants.Add("1" + digits);
        }

        if (digits.Length == 11 && digits[0] == '1')
        {
            variants.Add("+" + digits);
            variants.Add(digits[1..]);
        }

        return [.. variants.Distinct()];
    }

    /// <summary>Splits a value for display, marking where the term (or one of its words) occurs.</summary>
    public static IReadOnlyList<HighlightPart> Highlight(string value, string term)
    {
        ArgumentNullException.ThrowIfNull(value);
        term = (term ?? "").Trim();
        if (value.Length == 0 || term.Length == 0)
        {
            return [new HighlightPart(value, false)];
        }

        var marks = new bool[value.Length];
        var needles = new List<string> { term };
        needles.AddRange(SearchInput.Classify(term).Words.Where(w => w.Length >= 2));
        var digits = new string(term.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length >= 4 && digits != term)
        {
            needles.Add(digits);
        }

        foreach (var needle in needles)
        {
            var at = value.IndexOf(needle, StringComparison.OrdinalIgnoreCase);
            if (at < 0 && needle.Length > 3)
            {
                // A misspelled word: mark where its first three letters occur.
                at = value.IndexOf(needle[..3], StringComparison.OrdinalIgnoreCase);
                if (at >= 0)
                {
                    Array.Fill(marks, true, at, 3);
                }

                continue;
            }

            while (at >= 0)
            {
                Array.Fill(marks, true, at, needle.Length);
                at = value.IndexOf(needle, at + needle.Length, StringComparison.OrdinalIgnoreCase);
            }

            if (needle == term && marks.Any(m => m))
            {
                break;
            }
        }

        var parts = new List<HighlightPart>();
        var sb = new StringBuilder();
        var current = marks[0];
        for (var i = 0; i < value.Length; i++)
        {
            if (marks[i] != current)
            {
                parts.Add(new HighlightPart(sb.ToString(), current));
                sb.Clear();
                current = marks[i];
            }

            sb.Append(value[i]);
        }

        parts.Add(new HighlightPart(sb.ToString(), current));
        return parts;
    }
}
