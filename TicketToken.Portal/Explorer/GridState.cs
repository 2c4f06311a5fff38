using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace TicketToken.Portal.Explorer;

/// <summary>One column filter: <c>f.&lt;column&gt;=&lt;op&gt;:&lt;value&gt;</c> in the URL.</summary>
public sealed record GridFilter(string Column, string Op, string Value)
{
    public const string Contains = "contains";
    public const string Equal = "eq";
    public const string Between = "between";
    public const string Empty = "empty";
    public const string NotEmpty = "notempty";
}

/// <summary>
/// Everything a grid shows, kept in the URL so a view can be bookmarked and shared and the back button works:
/// <c>sort=created_at.desc&amp;q=…&amp;f.status=eq:pending&amp;page=2&amp;size=50&amp;cols=a,b&amp;dense=1</c>.
/// </summary>
public sealed record GridState
{
    public const int DefaultPageSize = 50;
    public static readonly int[] PageSizes = [25, 50, 100, 200];

    public string? Sort { get; init; }

    public bool Descending { get; init; }

    public string? Search { get; init; }

    public IReadOnlyList<GridFilter> Filters { get; init; } = [];

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = DefaultPageSize;

    public IReadOnlyList<string>? Columns { get; init; }

    public bool Dense { get; init; }

    /// <summary>Keyset cursor (<c>after=</c>): where the previous page ended, so a next page need not skip rows.</summary>
    public string? After { get; init; }

    public static GridState Parse(string query)
    {
        var values = QueryHelpers.ParseQuery(query);
        string? One(string key) => values.TryGetValue(key, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString() : null;

        var sort = One("sort");
        var descending = false;
        if (sort is not null && sort.EndsWith(".desc", StringComparison.Ordinal))
        {
            sort = sort[..^5];
            descending = true;
        }
        else if (sort is not null && sort.EndsWith(".asc", StringComparison.Ordinal))
        {
            sort = sort[..^4];
        }

        var filters = values
            .Where(kv => kv.Key.StartsWith("f.", StringComparison.Ordinal) && kv.Key.Length > 2)
            .Select(kv =>
            {
                var raw = kv.Value.ToString();
                var colon = raw.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? new GridFilter(kv.Key[2..], GridFilter.Equal, raw) : new GridFilter(kv.Key[2..], raw[..colon], raw[(colon + 1)..]);
            })
            .OrderBy(f => f.Column, StringComparer.Ordinal)
            .ToList();

        var page = int.TryParse(One("page"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        var size = int.TryParse(One("size"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && PageSizes.Contains(s) ? s : DefaultPageSize;
        return new GridState
        {
            Sort = sort,
            Descending = descending,
            Search = One("q"),
            Filters = filters,
            Page = page,
            PageSize = size,
            Columns = One("cols")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Dense = One("dense") == "1",
            After = One("after"),
        };
    }

    public string ToQueryString()
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        if (Sort is not null)
        {
            pairs.Add(new("sort", Sort + (Descending ? ".desc" : ".asc")));
        }

        if (!string.IsNullOrWhiteSpace(Search))
        {
            pairs.Add(new("q", Search));
        }

        pairs.AddRange(Filters.Select(f => new KeyValuePair<string, string?>("f." + f.Column, $"{f.Op}:{f.Value}")));
        if (Page > 1)
        {
            pairs.Add(new("page", Page.ToString(CultureInfo.InvariantCulture)));
        }

        if (PageSize != DefaultPageSize)
        {
            pairs.Add(new("size", PageSize.ToString(CultureInfo.InvariantCulture)));
        }

        if (Columns is { Count: > 0 })
        {
            pairs.Add(new("cols", string.Join(',', Columns)));
        }

        if (Dense)
        {
            pairs.Add(new("dense", "1"));
        }

        if (After is not null)
        {
            pairs.Add(new("after", After));
        }

        return Microsoft.AspNetCore.Http.QueryString.Create(pairs).ToString();
    }

    public GridState WithFilter(GridFilter? filter, string column) => this with
    {
        Filters = [.. Filters.Where(f => f.Column != column).Concat(filter is null ? [] : [filter]).OrderBy(f => f.Column, StringComparer.Ordinal)],
        Page = 1,
    };
}
