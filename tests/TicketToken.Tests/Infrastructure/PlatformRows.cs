using Npgsql;

namespace TicketToken.Tests.Infrastructure;

/// <summary>Minimal platform rows written as the superuser (which row-level security does not bind), for tests to read back as the app role.</summary>
public static class PlatformRows
{
    public static async Task<(Guid Tenant, Guid User)> AddTenantWithUserAsync(string database, string slug)
    {
        var tenant = Guid.NewGuid();
        var user = Guid.NewGuid();
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO public.tenants (id, name, slug) VALUES (@t, @slug, @slug);
            INSERT INTO public.users (id, tenant_id, email, password_hash) VALUES (@u, @t, @email, 'x');
            """, conn);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("u", user);
        cmd.Parameters.AddWithValue("slug", slug);
        cmd.Parameters.AddWithValue("email", $"{slug}@example.test");
        await cmd.ExecuteNonQueryAsync();
        return (tenant, user);
    }

    public static async Task AddInvalidatedTokenAsync(string database, Guid tenant, Guid user, string token, DateTimeOffset expiresAt)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO public.invalidated_tokens (token, tenant_id, user_id, expires_at) VALUES (@k, @t, @u, @e)", conn);
        cmd.Parameters.AddWithValue("k", token);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("u", user);
        cmd.Parameters.AddWithValue("e", expiresAt);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<List<string>> TokensAsync(string database)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT token FROM public.invalidated_tokens ORDER BY token", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var tokens = new List<string>();
        while (await reader.ReadAsync())
        {
            tokens.Add(reader.GetString(0));
        }

        return tokens;
    }
}
