using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.Data.Portal;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>One seeded portal shared by the saved-view, export and saved-views-menu tests (seeding is the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class ViewsAndExportsCollection : ICollectionFixture<SeededExplorerFixture>
{
    public const string Name = "explorer views and exports";
}

public static class ViewsAndExports
{
    /// <summary>The demo account as the portal would see it signed in: its real id and its roles from the database.</summary>
    public static async Task<ClaimsPrincipal> UserAsync(this SeededExplorerFixture fixture, string email)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var portal = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await portal.CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var roles = await db.UserRoles.Where(r => r.UserId == user.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync();
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user.Id.ToString()), new(ClaimTypes.Name, email), new("amr", "mfa") };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Test"));
    }

    public static async Task ExecuteAsync(this SeededExplorerFixture fixture, string sql, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<List<T>> ListAsync<T>(this SeededExplorerFixture fixture, string sql)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<T>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetFieldValue<T>(0));
        }

        return list;
    }
}
