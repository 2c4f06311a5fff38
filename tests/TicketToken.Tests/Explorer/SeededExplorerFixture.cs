using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Tenancy;
using TicketToken.Data.Portal;
using TicketToken.Portal.Explorer;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>The portal on a database with the demo seed (platform data, demo accounts, the venue manager's venues).</summary>
public sealed class SeededExplorerFixture : IAsyncLifetime
{
    public PortalAppFactory App { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await App.InitializeAsync();
        await App.SeedEverythingAsync();
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    public static ClaimsPrincipal User(string role, Guid? id = null) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, (id ?? Guid.NewGuid()).ToString()), new Claim(ClaimTypes.Name, $"{role}@example.test"), new Claim(ClaimTypes.Role, role), new Claim("amr", "mfa")],
        "Test"));

    public ExplorerTable Table(string service, string table) =>
        App.Services.GetRequiredService<ExplorerCatalog>().Find(service, table) ?? throw new InvalidOperationException($"{service}/{table} not in the catalog");

    public async Task<ExplorerPage> PageAsync(string service, string table, string query, ClaimsPrincipal? user = null)
    {
        user ??= User(PortalRoles.Administrator);
        return await Data(user).LoadPageAsync(Table(service, table), GridState.Parse(query), user, TestContext.Current.CancellationToken);
    }

    /// <summary>The explorer's data service as the given user would get it (their name on the recorded reads).</summary>
    public ExplorerData Data(ClaimsPrincipal user)
    {
        var (platform, portal, access) = Access(user);
        return new ExplorerData(platform, portal, access, App.Services.GetRequiredService<ExplorerRlsFacts>());
    }

    /// <summary>The explorer's writer as the given user would get it (their name on the audit rows and recorded reads).</summary>
    public ExplorerWriter Writer(ClaimsPrincipal user)
    {
        var (platform, portal, access) = Access(user);
        var rls = App.Services.GetRequiredService<ExplorerRlsFacts>();
        return new ExplorerWriter(platform, portal, access, rls, App.Services.GetRequiredService<ExplorerCatalog>(),
            new ExplorerData(platform, portal, access, rls), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ExplorerWriter>.Instance);
    }

    private (IDbContextFactory<PlatformDbContext> Platform, IDbContextFactory<PortalDbContext> Portal, CrossTenantAccess Access) Access(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var services = App.Services;
        var platform = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        var portal = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var access = new CrossTenantAccess(platform, portal, new FixedPortalActor(new PortalActorInfo(null, user.Identity!.Name!)),
            services.GetRequiredService<IOptions<DataAccessOptions>>(), TimeProvider.System);
        return (platform, portal, access);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(App.DatabaseName));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
