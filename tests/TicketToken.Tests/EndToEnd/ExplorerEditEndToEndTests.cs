using Microsoft.Playwright;
using Npgsql;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.EndToEnd;

/// <summary>Editing a record in a real browser: saved and shown; and the conflict flow when the row changes behind the page's back.</summary>
public sealed class ExplorerEditEndToEndTests(SeededBrowserFixture fixture) : IClassFixture<SeededBrowserFixture>
{
    [Fact]
    public async Task Edit_a_record_and_see_it_saved()
    {
        var id = await ScalarAsync<Guid>("SELECT id FROM public.events WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET 20");
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, "admin@demo.local");

        await page.GotoAsync($"/explorer/event/events/{id}");
        await BrowserSteps.WaitForInteractiveAsync(page);
        await page.ClickAsync("[data-test=edit]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/explorer/event/events/{id}/edit$"));
        await BrowserSteps.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-field=name] input")).Not.ToHaveValueAsync("");

        // A bad value first: the message shows next to the field and the input stays.
        await page.FillAsync("[data-field=name] input", "Edited in a real browser");
        await page.FillAsync("[data-field=age_restriction] input", "eighteen");
        await page.FillAsync("[data-test=write-reason] textarea, textarea[data-test=write-reason]", "Title typo reported by the venue");
        await page.ClickAsync("[data-test=save]");
        await Assertions.Expect(page.Locator("[data-field=age_restriction] [data-test=field-error]")).ToHaveTextAsync("Enter a whole number.");
        await Assertions.Expect(page.Locator("[data-field=name] input")).ToHaveValueAsync("Edited in a real browser");

        await page.FillAsync("[data-field=age_restriction] input", "18");
        await page.ClickAsync("[data-test=save]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/explorer/event/events/{id}$"));
        await Assertions.Expect(page.Locator("[data-test=record-fields] td[data-column=name]")).ToHaveTextAsync("Edited in a real browser");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "explorer-edit-saved.png"), FullPage = true });
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND name = 'Edited in a real browser' AND age_restriction = 18"));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM portal.audit_log WHERE record_key = '{id}' AND action = 'explorer.update' AND reason = 'Title typo reported by the venue'"));
    }

    [Fact]
    public async Task A_row_changed_behind_the_pages_back_shows_both_versions_and_the_typed_values_can_be_reapplied()
    {
        var id = await ScalarAsync<Guid>("SELECT id FROM public.events WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET 21");
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, "admin@demo.local");

        await page.GotoAsync($"/explorer/event/events/{id}/edit");
        await BrowserSteps.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-field=name] input")).Not.ToHaveValueAsync("");
        await page.FillAsync("[data-field=description] textarea", "My description, typed in the browser");
        await page.FillAsync("[data-test=write-reason] textarea, textarea[data-test=write-reason]", "Adding the description");

        await ScalarAsync<long>($"WITH u AS (UPDATE public.events SET name = 'Changed behind your back' WHERE id = '{id}' RETURNING 1) SELECT count(*) FROM u");
        await page.ClickAsync("[data-test=save]");

        var conflict = page.Locator("[data-test=conflict]");
        await Assertions.Expect(conflict).ToBeVisibleAsync();
        await Assertions.Expect(conflict.Locator("[data-field=name] [data-test=theirs]")).ToHaveTextAsync("Changed behind your back");
        await Assertions.Expect(conflict.Locator("[data-field=description] [data-test=mine]")).ToHaveTextAsync("My description, typed in the browser");
        await Assertions.Expect(page.Locator("[data-field=description] textarea")).ToHaveValueAsync("My description, typed in the browser");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "explorer-edit-conflict.png"), FullPage = true });
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND description = 'My description, typed in the browser'"));

        await page.ClickAsync("[data-test=conflict-reapply]");
        await Assertions.Expect(conflict).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-field=name] input")).ToHaveValueAsync("Changed behind your back");
        await Assertions.Expect(page.Locator("[data-field=description] textarea")).ToHaveValueAsync("My description, typed in the browser");
        await page.ClickAsync("[data-test=save]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/explorer/event/events/{id}$"));
        await Assertions.Expect(page.Locator("[data-test=record-fields] td[data-column=description]")).ToHaveTextAsync("My description, typed in the browser");
        Assert.Equal(1L, await ScalarAsync<long>(
            $"SELECT count(*) FROM public.events WHERE id = '{id}' AND name = 'Changed behind your back' AND description = 'My description, typed in the browser'"));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
