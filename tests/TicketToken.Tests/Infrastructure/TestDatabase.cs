using Npgsql;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against. './tt test' (and .ci/run) start a throwaway cluster and set
/// TT_TEST_ADMIN_CONNECTION to a superuser connection string; tests create their own databases on it.
/// </summary>
public static class TestDatabase
{
    public const string AdminConnectionVariable = "TT_TEST_ADMIN_CONNECTION";

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(AdminConnectionVariable)
        ?? throw new InvalidOperationException(
            $"{AdminConnectionVariable} is not set: run the tests with './tt test', which starts a PostgreSQL for them.");

    public static string ConnectionStringFor(string database, string? user = null, string? password = null)
    {
        var b = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database };
        if (user is not null)
        {
            b.Username = user;
            b.Password = password;
        }

        return b.ConnectionString;
    }

    public static async Task ExecuteAdminAsync(string sql, string database = "postgres")
    {
        await using var conn = new NpgsqlConnection(ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
}
