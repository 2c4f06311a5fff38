using Microsoft.Extensions.DependencyInjection;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>Each filter of each column kind the schema uses gives exactly the rows the same condition gives in SQL.</summary>
public sealed class ExplorerFilterTests(SeededExplorerFixture fixture) : IClassFixture<SeededExplorerFixture>
{
    public static TheoryData<string, string, string, string> Filters => new()
    {
        // service, table, grid query, the SQL condition it must mean
        { "order", "orders", "f.order_number=contains:12", "order_number ILIKE '%12%'" },
        { "ticket", "tickets", "f.status=eq:sold", "status = 'sold'" },
        { "order", "orders", "f.ticket_quantity=between:2,3", "ticket_quantity BETWEEN 2 AND 3" },
        { "order", "orders", "f.total_cents=between:10,100", "total_cents BETWEEN 1000 AND 10000" },
        { "order", "orders", "f.total_cents=between:250.5,", "total_cents >= 25050" },
        { "order", "orders", "f.created_at=between:2026-01-01,2026-01-31", "created_at >= '2026-01-01Z' AND created_at < '2026-02-01Z'" },
        { "order", "orders", "f.payment_intent_id=empty:", "(payment_intent_id IS NULL OR payment_intent_id = '')" },
        { "order", "orders", "f.payment_intent_id=notempty:", "NOT (payment_intent_id IS NULL OR payment_intent_id = '')" },
        { "order", "orders", "f.payout_completed=eq:true", "payout_completed = true" },
        { "order", "orders", "f.status=eq:CONFIRMED&f.ticket_quantity=between:1,2", "status = 'CONFIRMED' AND ticket_quantity BETWEEN 1 AND 2" },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Filter_means_the_same_as_sql(string service, string table, string query, string sql)
    {
        var expected = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.{table} WHERE {sql}");
        var all = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.{table}");

        var page = await fixture.PageAsync(service, table, query);

        Assert.Empty(page.Problems);
        Assert.Equal(expected, page.Total);
        Assert.True(expected < all, "the filter should select some rows, not all");
    }

    [Fact]
    public async Task A_uuid_filter_finds_the_rows_of_that_value()
    {
        var eventId = await fixture.ScalarAsync<Guid>("SELECT event_id FROM public.orders ORDER BY id LIMIT 1");
        var expected = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.orders WHERE event_id = '{eventId}'");

        var page = await fixture.PageAsync("order", "orders", $"f.event_id=eq:{eventId}");

        Assert.Equal(expected, page.Total);
        Assert.All(page.Rows, r => Assert.Equal(eventId.ToString(), r.Cells["event_id"].Text));
    }

    [Fact]
    public async Task A_postgres_enum_column_filters_by_its_labels()
    {
        var candidates = fixture.App.Services.GetRequiredService<ExplorerCatalog>().Tables
            .SelectMany(t => t.Columns.Where(col => col.ClrType.IsEnum && !col.IsSensitive).Select(col => (Table: t, Column: col)))
            .ToList();

        foreach (var (table, column) in candidates)
        {
            var label = await fixture.ScalarAsync<string?>($"SELECT {column.Name}::text FROM public.{table.Name} WHERE {column.Name} IS NOT NULL LIMIT 1");
            if (label is null)
            {
                continue;
            }

            var expected = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.{table.Name} WHERE {column.Name}::text = '{label}'");
            var member = Enum.GetNames(column.ClrType).Single(n => string.Equals(NormalizeLabel(n), NormalizeLabel(label), StringComparison.OrdinalIgnoreCase));

            var page = await fixture.PageAsync(table.Service, table.Name, $"f.{column.Name}=eq:{member}");

            Assert.Empty(page.Problems);
            Assert.Equal(expected, page.Total);
            return;
        }

        Assert.Fail("the demo seed has no row with an enum value");
    }

    [Fact]
    public async Task Quick_search_finds_an_order_by_its_number()
    {
        var number = await fixture.ScalarAsync<string>("SELECT order_number FROM public.orders ORDER BY id LIMIT 1");

        var page = await fixture.PageAsync("order", "orders", $"q={number}");

        Assert.Contains(page.Rows, r => r.Cells["order_number"].Text == number);
    }

    [Fact]
    public async Task Bad_input_gets_a_message_and_the_filter_is_ignored()
    {
        var all = await fixture.ScalarAsync<long>("SELECT count(*) FROM public.orders");

        var page = await fixture.PageAsync("order", "orders", "f.total_cents=between:abc,&f.nope=eq:1&sort=password");

        Assert.Equal(all, page.Total);
        Assert.Contains(page.Problems, p => p.Contains("'abc' is not an amount", StringComparison.Ordinal));
        Assert.Contains(page.Problems, p => p.Contains("no column 'nope'", StringComparison.Ordinal));
        Assert.Contains(page.Problems, p => p.Contains("cannot be sorted by 'password'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sorting_and_paging_walk_the_rows_in_order_without_overlap()
    {
        var first = await fixture.PageAsync("order", "orders", "sort=total_cents.desc&size=25");
        var second = await fixture.PageAsync("order", "orders", "sort=total_cents.desc&size=25&page=2");
        var max = await fixture.ScalarAsync<long>("SELECT max(total_cents) FROM public.orders");

        var totals = first.Rows.Concat(second.Rows).Select(r => decimal.Parse(r.Cells["total_cents"].Text!, System.Globalization.NumberStyles.Currency, System.Globalization.CultureInfo.GetCultureInfo("en-US"))).ToList();
        Assert.Equal(max / 100m, totals[0]);
        Assert.Equal(totals.OrderByDescending(t => t), totals);
        Assert.Empty(first.Rows.Select(r => r.Key).Intersect(second.Rows.Select(r => r.Key)));
        Assert.Equal(25, second.Rows.Count);
    }

    private static string NormalizeLabel(string s) => s.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
}

public sealed class ExplorerKeysetTests(SeededExplorerFixture fixture) : IClassFixture<SeededExplorerFixture>
{
    [Theory]
    [InlineData("")]
    [InlineData("sort=total_cents.asc")]
    [InlineData("sort=cancelled_at.asc")]
    [InlineData("sort=cancelled_at.desc")]
    [InlineData("sort=order_number.desc&f.status=eq:CONFIRMED")]
    public async Task Next_pages_by_keyset_are_the_pages_by_offset(string query)
    {
        var nonNullCancelled = await fixture.ScalarAsync<long>("SELECT count(*) FROM public.orders WHERE cancelled_at IS NOT NULL");
        var pages = (int)Math.Min(12, (nonNullCancelled / 100) + 3);
        var prefix = query.Length == 0 ? "size=100" : query + "&size=100";
        string? cursor = null;
        for (var page = 1; page <= pages; page++)
        {
            var byOffset = await fixture.PageAsync("order", "orders", $"{prefix}&page={page}");
            var byKeyset = await fixture.PageAsync("order", "orders", cursor is null ? prefix : $"{prefix}&page={page}&after={cursor}");

            Assert.Equal(byOffset.Rows.Select(r => r.Key), byKeyset.Rows.Select(r => r.Key));
            Assert.Equal(page > 1, byKeyset.KeysetUsed);
            if (byKeyset.Rows.Count == 0)
            {
                break;
            }

            cursor = byKeyset.NextCursor;
            Assert.NotNull(cursor);
        }
    }

    [Fact]
    public async Task A_broken_cursor_falls_back_to_offset()
    {
        var byOffset = await fixture.PageAsync("order", "orders", "size=50&page=3");
        var broken = await fixture.PageAsync("order", "orders", "size=50&page=3&after=not-a-cursor!");

        Assert.False(broken.KeysetUsed);
        Assert.Equal(byOffset.Rows.Select(r => r.Key), broken.Rows.Select(r => r.Key));
    }
}
