using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.Benchmarks.Harness;
using TicketToken.Data.Portal;
using TicketToken.Portal.Components.Pages.Explorer;
using TicketToken.Portal.Hosting;

namespace TicketToken.Benchmarks.Benchmarks;

/// <summary>
/// Managed memory held per open explorer page. The portal's real service provider is built in this process (the same
/// <c>AddTicketTokenPortal</c> as Program, host not started); each "circuit" is a DI scope (scoped services as a circuit
/// has them) with a Blazor renderer that keeps <c>ExplorerTablePage</c> on <c>orders</c> (50 rows, 12 columns, as an
/// administrator: the toolbar, filter editor, saved-views and export components, the loaded page and its render tree)
/// alive. N such pages are opened and kept; the figure is (managed heap after - before) / N, each measured after a full
/// blocking GC. What a real circuit adds on top is not counted: SignalR connection buffers, unacknowledged render
/// batches, the circuit host and JS interop state (typically tens of KB; see the README for why this is a lower bound).
/// </summary>
public sealed class ExplorerCircuitMemoryBenchmark : IBenchmark
{
    private const int Circuits = 40;

    public string Name => "explorer.circuit";

    public string Description => "managed memory held per open explorer table page (DI scope + rendered page with its rows), N pages kept open";

    public bool NeedsDatabase => true;

    public async Task<IReadOnlyList<Figure>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ApplicationName = "TicketToken.Portal" });
        builder.Configuration["ConnectionStrings:TicketToken"] = context.ConnectionString;
        if (context.Configuration.GetConnectionString("TicketTokenStaffRead") is { Length: > 0 } staff)
        {
            builder.Configuration["ConnectionStrings:TicketTokenStaffRead"] = staff;
        }

        builder.Configuration["Jobs:RunInProcess"] = "false";
        builder.Configuration["Jobs:RegisterRecurringJobs"] = "false";
        builder.Configuration["Explorer:Exports:WorkerCount"] = "0";
        builder.Logging.ClearProviders();
        builder.AddTicketTokenPortal();
        await using var app = builder.Build();
        var admin = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, Guid.Empty.ToString()), new Claim(ClaimTypes.Name, "benchmark"), new Claim(ClaimTypes.Role, PortalRoles.Administrator)], "bench"));

        // Warm up: the catalog, EF's caches and MudBlazor's statics are per process, not per circuit.
        var warm = await OpenAsync(app.Services, admin);
        var html = warm.Html;
        await warm.DisposeAsync();

        var before = Heap();
        var open = new List<OpenPage>(Circuits);
        for (var i = 0; i < Circuits; i++)
        {
            open.Add(await OpenAsync(app.Services, admin));
        }

        var after = Heap();
        var perCircuit = (after - before) / (double)Circuits;
        var rows = open[0].Html.Split("data-test=\"grid-row\"").Length - 1;
        BenchmarkContext.Log(string.Create(CultureInfo.InvariantCulture,
            $"{Circuits} pages of orders ({rows} rows each): heap {before / 1048576.0:0.0} MB -> {after / 1048576.0:0.0} MB, {perCircuit / 1024:0} KB each; HTML {html.Length / 1024:0} KB"));
        foreach (var page in open)
        {
            await page.DisposeAsync();
        }

        var released = Heap();

        // A second round of open-then-close: if the heap still grows, something outlives a closed page; if not, what
        // stayed after the first round is process-wide (pools, caches) and bounded.
        var second = new List<OpenPage>(Circuits);
        for (var i = 0; i < Circuits; i++)
        {
            second.Add(await OpenAsync(app.Services, admin));
        }

        foreach (var page in second)
        {
            await page.DisposeAsync();
        }

        var afterSecond = Heap();

        // A third round: growth that repeats round after round is a leak; growth that stops was a cache filling up.
        for (var i = 0; i < Circuits; i++)
        {
            await (await OpenAsync(app.Services, admin)).DisposeAsync();
        }

        var afterThird = Heap();
        BenchmarkContext.Log(string.Create(CultureInfo.InvariantCulture,
            $"closed: {released / 1048576.0:0.0} MB; after a second round of {Circuits} opened and closed: {afterSecond / 1048576.0:0.0} MB; after a third: {afterThird / 1048576.0:0.0} MB"));
        return
        [
            new Figure($"{Name}.growth-after-close.kb", (afterSecond - released) / (double)Circuits / 1024, "KB", "per page, heap growth over a second open-and-close round (leak check)"),
            new Figure($"{Name}.growth-third-round.kb", (afterThird - afterSecond) / (double)Circuits / 1024, "KB", "per page, heap growth over a third open-and-close round (a leak repeats)"),
            new Figure($"{Name}.managed.kb", perCircuit / 1024, "KB", $"managed heap held per open explorer page (orders, {rows} rows), mean of {Circuits}"),
            new Figure($"{Name}.released.kb", (after - released) / (double)Circuits / 1024, "KB", "per page, given back when the pages were closed"),
            new Figure($"{Name}.html.kb", html.Length / 1024.0, "KB", "the page's rendered HTML (for scale)"),
            new Figure($"{Name}.pages", Circuits, "count", "pages kept open at once"),
        ];
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task<OpenPage> OpenAsync(IServiceProvider services, ClaimsPrincipal user)
    {
        var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        ((IHostEnvironmentNavigationManager)sp.GetRequiredService<NavigationManager>()).Initialize("http://localhost/", "http://localhost/explorer/order/orders");
        ((IHostEnvironmentAuthenticationStateProvider)sp.GetRequiredService<AuthenticationStateProvider>())
            .SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
        var renderer = new HtmlRenderer(sp, sp.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var root = await renderer.RenderComponentAsync<TablePageHost>();
            await root.QuiescenceTask;
            return root.ToHtmlString();
        });
        return new OpenPage(scope, renderer, html);
    }

    private sealed record OpenPage(AsyncServiceScope Scope, HtmlRenderer Renderer, string Html) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Renderer.DisposeAsync();
            await Scope.DisposeAsync();
        }
    }

    /// <summary>The table page inside the cascading authentication state, as the router would render it.</summary>
    private sealed class TablePageHost : ComponentBase
    {
        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<CascadingAuthenticationState>(0);
            builder.AddAttribute(1, nameof(CascadingAuthenticationState.ChildContent), (RenderFragment)(b =>
            {
                b.OpenComponent<MudBlazor.MudPopoverProvider>(0);
                b.CloseComponent();
                b.OpenComponent<ExplorerTablePage>(1);
                b.AddAttribute(2, nameof(ExplorerTablePage.Service), "order");
                b.AddAttribute(3, nameof(ExplorerTablePage.Table), "orders");
                b.CloseComponent();
            }));
            builder.CloseComponent();
        }
    }
}
