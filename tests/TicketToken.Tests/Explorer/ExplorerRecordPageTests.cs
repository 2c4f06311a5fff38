using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Components.Pages.Explorer;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>The record page's delete in bUnit over the real services and database: a row changed by someone else after the page read it is not deleted unseen.</summary>
[Collection(ViewsAndExportsCollection.Name)]
public sealed class ExplorerRecordPageTests(SeededExplorerFixture fixture) : ExplorerPageTest(fixture, "UTC")
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task<IRenderedComponent<ExplorerRecordPage>> OpenAsync(string email, string id)
    {
        var user = await SignInAsAsync(email);
        Services.AddSingleton(Fixture.Writer(user));
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Render<MudPopoverProvider>();
        var cut = Render<ExplorerRecordPage>(p => p.Add(c => c.Service, "event").Add(c => c.Table, "events").Add(c => c.Id, id));
        cut.WaitForElement("[data-test=record-fields]", Wait);
        return cut;
    }

    private static async Task DeleteAsync(IRenderedComponent<ExplorerRecordPage> cut, string reason)
    {
        await cut.Find("[data-test=soft-delete]").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        var field = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Reason *");
        await cut.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(reason));
        await cut.Find("[data-test=write-confirm] form").SubmitAsync();
    }

    [Fact]
    public async Task Deleting_a_row_someone_changed_after_the_page_read_it_shows_their_version_and_deletes_nothing()
    {
        var id = await Fixture.ScalarAsync<Guid>("SELECT id FROM public.events WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 1 OFFSET 3");
        var cut = await OpenAsync("admin@demo.local", id.ToString());

        // Someone else renames the event while the administrator is looking at it.
        Assert.Equal("Renamed elsewhere", await Fixture.ScalarAsync<string>($"UPDATE public.events SET name = 'Renamed elsewhere' WHERE id = '{id}' RETURNING name"));
        await DeleteAsync(cut, "Duplicate event");

        cut.WaitForAssertion(() => Assert.Contains("changed this row", cut.Find("[data-test=write-conflict]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("Renamed elsewhere", cut.Find("[data-test=record-fields]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-test=write-confirm]"));
        Assert.Equal(0L, await Fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND deleted_at IS NOT NULL"));
        Assert.Equal(0L, await Fixture.ScalarAsync<long>($"SELECT count(*) FROM portal.audit_log WHERE record_key = '{id}' AND action = '{ExplorerWriter.SoftDeleteAction}'"));

        // Having seen the current version, the same delete goes through.
        await DeleteAsync(cut, "Duplicate event");
        cut.WaitForElement("[data-test=record-deleted]", Wait);
        Assert.Empty(cut.FindAll("[data-test=write-conflict]"));
        Assert.Equal(1L, await Fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND deleted_at IS NOT NULL"));
        Assert.Equal(1L, await Fixture.ScalarAsync<long>($"SELECT count(*) FROM portal.audit_log WHERE record_key = '{id}' AND action = '{ExplorerWriter.SoftDeleteAction}'"));
    }
}
