using Bunit;
using MudBlazor;
using TicketToken.Portal.Components.Explorer;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

public sealed class FilterEditorTests : PortalComponentTest
{
    // The catalog needs no database for the model; CHECK lists then simply stay empty.
    private static readonly Lazy<ExplorerCatalog> Catalog = new(() => new ExplorerCatalog(AppContexts.Offline()));

    [Fact]
    public async Task A_bad_amount_gets_a_message_keeps_the_input_and_applies_nothing()
    {
        var applied = new List<GridFilter>();
        Render<MudPopoverProvider>();
        var cut = Render<FilterEditor>(p => p
            .Add(c => c.Table, Catalog.Value.Find("order", "orders")!)
            .Add(c => c.OnApply, (GridFilter f) => applied.Add(f)));

        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("total_cents"));
        var from = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "From ($)");
        await cut.InvokeAsync(() => from.Instance.ValueChanged.InvokeAsync("abc"));
        cut.Find("[data-test=filter-apply]").Click();

        Assert.Contains("'abc' is not an amount", cut.Find("[data-test=filter-error]").TextContent, StringComparison.Ordinal);
        Assert.Empty(applied);
        Assert.Equal("abc", cut.Find("[data-test=filter-from] input, input[data-test=filter-from]").GetAttribute("value"));

        await cut.InvokeAsync(() => from.Instance.ValueChanged.InvokeAsync("12.50"));
        cut.Find("[data-test=filter-apply]").Click();

        var filter = Assert.Single(applied);
        Assert.Equal(new GridFilter("total_cents", GridFilter.Between, "12.50,"), filter);
        Assert.Empty(cut.FindAll("[data-test=filter-error]"));
    }

    [Fact]
    public async Task A_text_column_offers_contains_and_sends_the_typed_value()
    {
        var applied = new List<GridFilter>();
        Render<MudPopoverProvider>();
        var cut = Render<FilterEditor>(p => p
            .Add(c => c.Table, Catalog.Value.Find("order", "orders")!)
            .Add(c => c.OnApply, (GridFilter f) => applied.Add(f)));

        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("order_number"));
        cut.Find("[data-test=filter-apply]").Click();
        Assert.Contains("Enter a value", cut.Find("[data-test=filter-error]").TextContent, StringComparison.Ordinal);

        var value = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Value");
        await cut.InvokeAsync(() => value.Instance.ValueChanged.InvokeAsync(" TT042 "));
        cut.Find("[data-test=filter-apply]").Click();

        Assert.Equal(new GridFilter("order_number", GridFilter.Contains, "TT042"), Assert.Single(applied));
    }

    [Fact]
    public void Sensitive_and_unfilterable_columns_are_not_offered_and_operators_follow_the_type()
    {
        var users = Catalog.Value.Find("auth", "users")!;
        Assert.DoesNotContain(users.Columns.Where(c => c.CanFilter), c => c.Name == "password_hash");
        Assert.True(users.Column("password_hash")!.IsSensitive);

        var orders = Catalog.Value.Find("order", "orders")!;
        Assert.Equal([GridFilter.Between, GridFilter.Equal, GridFilter.Empty, GridFilter.NotEmpty], FilterEditor.Operators(orders.Column("cancelled_at")!).Select(o => o.Op));
        Assert.Equal([GridFilter.Contains, GridFilter.Equal], FilterEditor.Operators(orders.Column("order_number")!).Select(o => o.Op));
        Assert.Equal(ColumnKind.Cents, orders.Column("total_cents")!.Kind);
    }
}
