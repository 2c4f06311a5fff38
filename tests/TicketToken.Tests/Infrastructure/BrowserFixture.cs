using Microsoft.Playwright;

namespace TicketToken.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright's bundled driver (no browser download), and the portal on a real Kestrel port.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public PortalAppFactory App { get; } = new();

    public static string ArtifactsDirectory
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "TicketToken.sln")))
            {
                root = root.Parent;
            }

            var dir = Path.Combine(root?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public async ValueTask InitializeAsync()
    {
        await App.InitializeAsync();
        App.StartKestrel();
        await App.SeedDemoAccountsAsync();

        var chromium = Environment.GetEnvironmentVariable("TT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium was not found at {chromium}: install Debian's 'chromium' package (./tt test does) or set TT_CHROMIUM.");
        }

        // Expect(...) waits 5 s by default: on 2 busy cores (the whole suite runs in parallel) a navigation or a
        // re-render can take longer than that, so assertions wait as long as the steps they check.
        Assertions.SetDefaultExpectTimeout(30_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        await App.DisposeAsync();
    }
}
