using Npgsql;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// The platform's real schema (the reference <c>schema.sql</c>: its own tables, policies, functions and triggers), loaded
/// once per test run into a template database; each test gets a copy.
/// </summary>
public static class PlatformSchemaSql
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? template;

    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var source = await EnsureTemplateAsync();
        var name = TestDatabase.UniqueName(prefix);
        await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{source}\"");
        return name;
    }

    /// <summary>schema.sql of the reference: found by walking up from the test binaries (in CI the shared folder is beside the clone).</summary>
    public static string SchemaPath()
    {
        const string relative = "shared/reference/platform-schema/schema.sql";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}: clone the shared reference beside the repository.");
    }

    private static async Task<string> EnsureTemplateAsync()
    {
        if (template is not null)
        {
            return template;
        }

        await Gate.WaitAsync();
        try
        {
            if (template is null)
            {
                var name = TestDatabase.UniqueName("tt_platform_sql");
                await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{name}\"");
                var sql = await File.ReadAllTextAsync(SchemaPath());
                var b = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionStringFor(name)) { Pooling = false, CommandTimeout = 300 };
                await using (var conn = new NpgsqlConnection(b.ConnectionString))
                {
                    await conn.OpenAsync();
                    await using var cmd = new NpgsqlCommand(sql, conn);
                    await cmd.ExecuteNonQueryAsync();
                }

                await TestDatabase.ExecuteAdminAsync($"ALTER DATABASE \"{name}\" IS_TEMPLATE true");
                template = name;
            }

            return template;
        }
        finally
        {
            Gate.Release();
        }
    }
}
