using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Data.Portal;
using TicketToken.Data.Seeding;
using TicketToken.Portal.Cli;
using TicketToken.Portal.Security;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// The real portal on its own copy of the migrated database, signed in to as the RLS-bound app role.
/// Call <see cref="StartKestrel"/> before anything else for a real port (a browser needs one).
/// </summary>
public sealed partial class PortalAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> settings = new(StringComparer.Ordinal);
    private bool kestrel;

    public string DatabaseName { get; private set; } = "";

    public PortalAppFactory WithSetting(string key, string? value)
    {
        settings[key] = value;
        return this;
    }

    public void StartKestrel()
    {
        kestrel = true;
        UseKestrel(0);
        StartServer();
    }

    public Uri RootUri
    {
        get
        {
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    public async ValueTask InitializeAsync()
    {
        DatabaseName = await TemplateDatabase.CreateDatabaseAsync("tt_app");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Development");
        builder.ConfigureServices(TestLogging.NeverDisposed);
        builder.UseSetting("ConnectionStrings:TicketToken", TemplateDatabase.AppConnectionString(DatabaseName));
        builder.UseSetting("ConnectionStrings:TicketTokenStaffRead", TemplateDatabase.StaffReadConnectionString(DatabaseName));
        builder.UseSetting("Jobs:RunInProcess", "false");
        builder.UseSetting("Jobs:RegisterRecurringJobs", "false");
        builder.UseSetting("Explorer:Exports:WorkerCount", "0");
        if (kestrel)
        {
            builder.UseSetting("Urls", "http://127.0.0.1:0");
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The portal roles and the five demo accounts (Development), as 'db seed' makes them.</summary>
    public async Task SeedDemoAccountsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var seeder = ActivatorUtilities.CreateInstance<PortalSeeder>(scope.ServiceProvider);
        await seeder.EnsureDemoAccountsAsync([]);
    }

    /// <summary>Everything 'db seed --scale demo' does: platform demo data, roles, demo accounts, the venue manager's venues.</summary>
    public async Task SeedEverythingAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var seeder = ActivatorUtilities.CreateInstance<PortalSeeder>(scope.ServiceProvider);
        await seeder.SeedAsync(TestDatabase.ConnectionStringFor(DatabaseName), new SeedOptions(SeedScale.Demo), TestContext.Current.CancellationToken);
    }

    /// <summary>A user with the given roles and no second factor.</summary>
    public async Task<PortalUser> CreateUserAsync(string email, string password, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var seeder = ActivatorUtilities.CreateInstance<PortalSeeder>(scope.ServiceProvider);
        await seeder.EnsureRolesAsync([]);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
        var created = await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        foreach (var role in roles)
        {
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }

        return user;
    }

    public HttpClient CreateBrowserLikeClient() => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    /// <summary>Signs in through the real sign-in form (and the two-factor form when asked); returns the final response.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, string? totpSecret = null, string returnUrl = "/")
    {
        ArgumentNullException.ThrowIfNull(client);
        var loginUrl = $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var response = await PostFormAsync(client, loginUrl, "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        if (totpSecret is not null && response.StatusCode == HttpStatusCode.Redirect
            && response.Headers.Location!.OriginalString.Contains("LoginWith2fa", StringComparison.Ordinal))
        {
            var twoFactorUrl = response.Headers.Location.OriginalString;
            response = await PostFormAsync(client, twoFactorUrl, "login-with-2fa", new()
            {
                ["Input.TwoFactorCode"] = Totp.Compute(totpSecret, DateTimeOffset.UtcNow),
            });
        }

        return response;
    }

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string formName, Dictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(fields);
        var page = await client.GetStringAsync(url);
        var form = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value,
        };
        foreach (Match hidden in HiddenInput().Matches(page))
        {
            form.TryAdd(WebUtility.HtmlDecode(hidden.Groups[1].Value), WebUtility.HtmlDecode(hidden.Groups[2].Value));
        }

        using var content = new FormUrlEncodedContent(form);
        return await client.PostAsync(url, content);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (DatabaseName.Length > 0)
        {
            await TemplateDatabase.DropDatabaseAsync(DatabaseName);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"_][^\"]*)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();
}
