using System.Net;
using Microsoft.AspNetCore.Hosting;
using System.Text.Json;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Health;

public sealed class HealthEndpointTests(PortalAppFactory app) : IClassFixture<PortalAppFactory>
{
    [Fact]
    public async Task Live_answers_without_signing_in()
    {
        using var client = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Ready_reports_database_migrations_and_hangfire()
    {
        using var client = app.CreateBrowserLikeClient();

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        foreach (var name in new[] { "database", "migrations", "hangfire" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
        }
    }
}

public sealed class HealthWhenUnmigratedTests : IAsyncLifetime
{
    private string database = "";

    public async ValueTask InitializeAsync()
    {
        database = TestDatabase.UniqueName("tt_empty");
        await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{database}\"");
    }

    [Fact]
    public async Task Ready_is_unhealthy_when_migrations_are_missing()
    {
        await using var app = new UnmigratedFactory(TestDatabase.ConnectionStringFor(database));
        using var client = app.CreateClient();

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"migrations\":{\"status\":\"Unhealthy\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync() => await TemplateDatabase.DropDatabaseAsync(database);

    private sealed class UnmigratedFactory(string connectionString) : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.ConfigureServices(TestLogging.NeverDisposed);
            builder.UseSetting("ConnectionStrings:TicketToken", connectionString);
            builder.UseSetting("Jobs:RunInProcess", "false");
            builder.UseSetting("Jobs:RegisterRecurringJobs", "false");
        }
    }
}
