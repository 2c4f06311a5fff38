using Npgsql;
using TicketToken.Data.Seeding;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>
/// Copies of the platform's own schema (schema.sql, loaded once per run by <see cref="PlatformSchemaSql"/>) for the seeding
/// tests, one of them seeded once at demo scale and shared by the tests of the class. Every copy is dropped at the end.
/// </summary>
public sealed class SeedingDatabases : IAsyncLifetime
{
    private readonly List<string> _created = [];

    /// <summary>Database seeded once at demo scale with <see cref="Seed"/>.</summary>
    public string SeededDatabase { get; private set; } = string.Empty;

    public SeedReport FirstReport { get; private set; } = null!;

    public TimeSpan FirstSeedTime { get; private set; }

    public const int Seed = 42;

    public async ValueTask InitializeAsync()
    {
        SeededDatabase = await CloneAsync("tt_seed_a");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        FirstReport = await SeedAsync(SeededDatabase, Seed);
        FirstSeedTime = clock.Elapsed;
    }

    public async Task<string> CloneAsync(string prefix)
    {
        var name = await PlatformSchemaSql.CreateDatabaseAsync(prefix);
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
        foreach (var db in _created)
        {
            await TestDatabase.ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
        }
    }
}
