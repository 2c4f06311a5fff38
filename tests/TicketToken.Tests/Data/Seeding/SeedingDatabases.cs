using Npgsql;
using TicketToken.Data.Seeding;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>
/// Loads the platform's schema.sql once into a template database, clones it for the seeding tests
/// (CREATE DATABASE … TEMPLATE …) and seeds one clone at demo scale, shared by the tests of the class.
/// Every database it creates is dropped at the end.
/// </summary>
public sealed class SeedingDatabases : IAsyncLifetime
{
    private readonly List<string> _created = [];
    private string? _template;

    /// <summary>Database seeded once at demo scale with <see cref="Seed"/>.</summary>
    public string SeededDatabase { get; private set; } = string.Empty;

    public SeedReport FirstReport { get; private set; } = null!;

    public TimeSpan FirstSeedTime { get; private set; }

    public const int Seed = 42;

    public async ValueTask InitializeAsync()
    {
        _template = TestDatabase.UniqueName("tt_seed_tpl");
        await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{_template}\"");
        _created.Add(_template);
        var sql = await File.ReadAllTextAsync(SchemaPath());
        var b = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionStringFor(_template)) { Pooling = false, CommandTimeout = 300 };
        await using (var conn = new NpgsqlConnection(b.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync();
        }

        await TestDatabase.ExecuteAdminAsync($"ALTER DATABASE \"{_template}\" IS_TEMPLATE true");

        SeededDatabase = await CloneAsync("tt_seed_a");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        FirstReport = await SeedAsync(SeededDatabase, Seed);
        FirstSeedTime = clock.Elapsed;
    }

    public async Task<string> CloneAsync(string prefix)
    {
        var name = TestDatabase.UniqueName(prefix);
        await TestDatabase.ExecuteAdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{_template}\"");
        lock (_created)
        {
            _created.Add(name);
        }

        return name;
    }

    public static async Task<SeedReport> SeedAsync(string database, int seed, IProgress<SeedProgress>? progress = null)
    {
        await using var ds = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(database));
        return await new PlatformSeeder(ds).SeedAsync(new SeedOptions(SeedScale.Demo, seed), progress, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var db in Enumerable.Reverse(_created))
        {
            if (db == _template)
            {
                await TestDatabase.ExecuteAdminAsync($"ALTER DATABASE \"{db}\" IS_TEMPLATE false");
            }

            await TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
        }
    }

    /// <summary>schema.sql of the reference: found by walking up from the test binaries (the repo, or beside it in CI).</summary>
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
}
