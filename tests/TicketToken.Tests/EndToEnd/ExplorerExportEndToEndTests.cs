using Microsoft.Playwright;
using TicketToken.Portal.Security;
using TicketToken.Tests.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.EndToEnd;

/// <summary>A seeded portal in a real browser whose own Hangfire server runs the export queue.</summary>
public sealed class ExportingBrowserFixture() : SeededBrowserFixture("Explorer:Exports:WorkerCount", "1");

public sealed class ExplorerExportEndToEndTests(ExportingBrowserFixture fixture) : IClassFixture<ExportingBrowserFixture>
{
    [Fact]
    public async Task Filter_export_csv_watch_it_finish_and_download_the_filtered_rows()
    {
        await using var context = await BrowserSteps.NewContextAsync(fixture.Browser, fixture.App, acceptDownloads: true);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, "support@demo.local");

        // Through the explorer's tree, as a user would arrive at the table; then filter: order_number contains '12'.
        await BrowserSteps.OpenTableFromExplorerAsync(page, "order", "orders");
        await BrowserSteps.AddContainsFilterAsync(page, "order_number", "12");
        await Assertions.Expect(page.Locator("[data-test=active-filter]")).ToHaveCountAsync(1);
        var total = int.Parse((await page.GetAttributeAsync("[data-test=grid-range]", "data-total"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(total, 51, 9_999);

        // Export: queued, then progress, then done with a download.
        await page.ClickAsync("[data-test=export-csv]");
        await Assertions.Expect(page.Locator("[data-test=export]")).ToHaveCountAsync(1);
        var done = page.Locator("[data-test=export][data-status=Completed]");
        try
        {
            await Assertions.Expect(done).ToBeVisibleAsync(new() { Timeout = 90_000 });
        }
        catch (PlaywrightException)
        {
            Assert.Fail("The export did not finish. " + await DiagnoseAsync());
        }

        Assert.Equal(total.ToString(System.Globalization.CultureInfo.InvariantCulture), await done.GetAttributeAsync("data-rows"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "explorer-export.png") });

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-test=export-download]"));
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"tt-e2e-{Guid.NewGuid():N}.csv");
        await download.SaveAsAsync(path);
        try
        {
            var rows = ExplorerExportTests.Csv(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
            var column = rows[0].IndexOf("order_number");
            Assert.True(column >= 0, string.Join(",", rows[0]));
            Assert.Equal(total, rows.Count - 1);
            Assert.All(rows.Skip(1), r => Assert.Contains("12", r[column], StringComparison.Ordinal));
            Assert.DoesNotContain("password", rows[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>What Hangfire and the export row say, for a failure message.</summary>
    private async Task<string> DiagnoseAsync()
    {
        await using var conn = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync();
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT string_agg(status || ' ' || rows_done || ' ' || coalesce(error, '') || ' job ' || coalesce(job_id, '-'), '; ') FROM portal.explorer_exports",
            "SELECT string_agg(id || ' ' || coalesce(statename, '-') || ' ' || invocationdata::text, '; ') FROM hangfire.job",
            "SELECT string_agg(s.reason || ' ' || coalesce(s.data::text, ''), '; ') FROM hangfire.state s",
            "SELECT string_agg(id || ' ' || data::text, '; ') FROM hangfire.server",
            "SELECT string_agg(queue || ' ' || jobid, '; ') FROM hangfire.jobqueue",
        })
        {
            try
            {
                await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
                parts.Add(Convert.ToString(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }
            catch (Npgsql.PostgresException ex)
            {
                parts.Add(ex.MessageText);
            }
        }

        return string.Join(" || ", parts);
    }
}
