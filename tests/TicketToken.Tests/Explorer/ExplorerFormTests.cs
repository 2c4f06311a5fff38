using Bunit;
using MudBlazor;
using TicketToken.Portal.Components.Explorer;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>The generated create/edit form: inputs typed by the column, the schema's messages next to the fields, input kept.</summary>
public sealed class ExplorerFormTests : PortalComponentTest
{
    // The catalog needs no database for the model; CHECK lists then simply stay empty (enum columns still have their labels).
    private static readonly Lazy<ExplorerCatalog> Catalog = new(() => new ExplorerCatalog(AppContexts.Offline()));

    private static IReadOnlyList<ExplorerField> FieldsOf(string service, string table) =>
        ExplorerForm.Fields(Catalog.Value.Find(service, table)!, Catalog.Value);

    [Fact]
    public void Fields_are_typed_by_their_columns_and_sensitive_or_system_columns_are_not_editable()
    {
        Render<MudPopoverProvider>();
        var events = Render<ExplorerFormView>(p => p
            .Add(c => c.Fields, FieldsOf("event", "events"))
            .Add(c => c.Values, new Dictionary<string, string?> { ["tenant_id"] = Guid.NewGuid().ToString(), ["name"] = "Spring gala" })
            .Add(c => c.Creating, false));

        string InputOf(string column) => events.Find($"[data-field={column}]").GetAttribute("data-input")!;
        Assert.Equal("Text", InputOf("name"));
        Assert.Equal("LongText", InputOf("description"));
        Assert.Equal("Integer", InputOf("age_restriction"));
        Assert.Equal("Decimal", InputOf("royalty_percentage"));
        Assert.Equal("Boolean", InputOf("is_featured"));
        Assert.Equal("Timestamp", InputOf("status_changed_at"));
        Assert.Equal("Uuid", InputOf("venue_id"));
        Assert.Equal("Json", InputOf("accessibility_info"));
        Assert.Equal("Array", InputOf("tags"));
        Assert.Contains("up to 3 digits and 2 decimal places", events.Find("[data-field=royalty_percentage]").TextContent, StringComparison.Ordinal);
        Assert.Contains("at most 300 characters", events.Find("[data-field=name]").TextContent, StringComparison.Ordinal);

        // On edit the tenant, key and maintained timestamps show read-only; the search vector never appears.
        Assert.NotNull(events.Find("[data-field=tenant_id] input[disabled], [data-field=tenant_id] input[readonly]"));
        Assert.NotNull(events.Find("[data-field=id] input[disabled], [data-field=id] input[readonly]"));
        Assert.NotNull(events.Find("[data-field=updated_at] input[disabled], [data-field=updated_at] input[readonly]"));
        Assert.Empty(events.FindAll("[data-field=search_vector]"));
        Assert.Equal("Spring gala", events.Find("[data-field=name] input").GetAttribute("value"));

        // An enum column offers its database labels; on create the generated key is not asked for.
        var notes = Render<ExplorerFormView>(p => p
            .Add(c => c.Fields, FieldsOf("order", "order_notes"))
            .Add(c => c.Values, new Dictionary<string, string?>())
            .Add(c => c.Creating, true));
        Assert.Equal("Choice", notes.Find("[data-field=note_type]").GetAttribute("data-input"));
        Assert.Contains("CUSTOMER_INQUIRY", FieldsOf("order", "order_notes").Single(f => f.Name == "note_type").Choices);
        Assert.Empty(notes.FindAll("[data-field=id]"));
        Assert.Empty(notes.FindAll("[data-field=created_at]"));
        Assert.Contains("content *", notes.Find("[data-field=content]").TextContent, StringComparison.Ordinal);

        // Sensitive columns never reach the form, not even read-only.
        var venues = Render<ExplorerFormView>(p => p
            .Add(c => c.Fields, FieldsOf("venue", "venues"))
            .Add(c => c.Values, new Dictionary<string, string?>())
            .Add(c => c.Creating, false));
        Assert.Empty(venues.FindAll("[data-field=tax_id]"));
        Assert.NotNull(venues.Find("[data-test=hidden-columns]"));
    }

    [Fact]
    public async Task Bad_values_get_messages_next_to_their_fields_and_keep_what_was_typed()
    {
        Render<MudPopoverProvider>();
        var fields = FieldsOf("event", "events");
        var values = new Dictionary<string, string?> { ["name"] = "Gala", ["slug"] = "gala", ["venue_id"] = Guid.NewGuid().ToString() };
        var cut = Render<ExplorerFormView>(p => p
            .Add(c => c.Fields, fields)
            .Add(c => c.Values, values)
            .Add(c => c.Creating, true));

        async Task Type(string column, string text)
        {
            var input = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label?.TrimEnd(' ', '*') == column);
            await cut.InvokeAsync(() => input.Instance.ValueChanged.InvokeAsync(text));
        }

        await Type("royalty_percentage", "12.345");
        await Type("age_restriction", "eighteen");
        await Type("status_changed_at", "next tuesday");
        await Type("accessibility_info", "{\"ramp\": tru}");
        await Type("short_description", new string('x', 501));
        await Type("name", "");

        // The page validates with the same rules and hands the messages back to the form.
        var errors = ExplorerForm.ValidateAll(fields, values, creating: true);
        cut.Render(p => p.Add(c => c.Errors, errors));

        string ErrorOf(string column) => cut.Find($"[data-field={column}] [data-test=field-error]").TextContent;
        Assert.Equal("At most 2 decimal place(s).", ErrorOf("royalty_percentage"));
        Assert.Equal("Enter a whole number.", ErrorOf("age_restriction"));
        Assert.Contains("2026-03-01 14:30:00Z", ErrorOf("status_changed_at"), StringComparison.Ordinal);
        Assert.StartsWith("Not valid JSON", ErrorOf("accessibility_info"), StringComparison.Ordinal);
        Assert.Equal("At most 500 characters; this has 501.", ErrorOf("short_description"));
        Assert.Equal("Required.", ErrorOf("name"));
        Assert.Empty(cut.FindAll("[data-field=slug] [data-test=field-error]"));

        // Nothing typed is lost: the inputs still hold the bad values, ready to be corrected.
        Assert.Equal("12.345", cut.Find("[data-field=royalty_percentage] input").GetAttribute("value"));
        Assert.Equal("eighteen", cut.Find("[data-field=age_restriction] input").GetAttribute("value"));
        Assert.Equal("{\"ramp\": tru}", values["accessibility_info"]);

        await Type("royalty_percentage", "12.34");
        await Type("age_restriction", "18");
        await Type("status_changed_at", "2026-03-01 14:30");
        await Type("accessibility_info", "{\"ramp\": true}");
        await Type("short_description", "Short");
        await Type("name", "Gala");
        Assert.Empty(ExplorerForm.ValidateAll(fields, values, creating: true));
        Assert.Equal("2026-03-01T14:30:00.0000000+00:00", ExplorerForm.ToDatabaseText(fields.Single(f => f.Name == "status_changed_at"), values["status_changed_at"]));
        Assert.Equal("Too large: at most 3 digit(s) before the decimal point.", ExplorerForm.Validate(fields.Single(f => f.Name == "royalty_percentage"), "1000", creating: false));
    }

    [Fact]
    public async Task A_foreign_key_is_a_searchable_picker_over_its_parent_table()
    {
        Render<MudPopoverProvider>();
        var searched = new List<(string Table, string Text)>();
        var venueId = Guid.NewGuid().ToString();
        var values = new Dictionary<string, string?>();
        Func<ExplorerTable, string, CancellationToken, Task<IReadOnlyList<ExplorerOption>>> search = (table, text, _) =>
        {
            searched.Add((table.Name, text));
            return Task.FromResult<IReadOnlyList<ExplorerOption>>([new ExplorerOption(venueId, $"The Lakeside Stadium · {venueId}")]);
        };
        var cut = Render<ExplorerFormView>(p => p
            .Add(c => c.Fields, FieldsOf("event", "events"))
            .Add(c => c.Values, values)
            .Add(c => c.Creating, true)
            .Add(c => c.SearchParent, search));

        var picker = cut.FindComponents<MudAutocomplete<string>>().Single(a => a.Instance.Label?.StartsWith("venue_id", StringComparison.Ordinal) == true);
        var found = await cut.InvokeAsync(() => picker.Instance.SearchFunc!("lake", CancellationToken.None)!);

        Assert.Equal([venueId], found);
        Assert.Equal(("venues", "lake"), Assert.Single(searched));
        Assert.Equal($"The Lakeside Stadium · {venueId}", picker.Instance.ToStringFunc!(venueId));
        await cut.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync(venueId));
        Assert.Equal(venueId, values["venue_id"]);
    }
}
