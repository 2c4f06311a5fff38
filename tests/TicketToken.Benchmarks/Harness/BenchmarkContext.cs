using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;

namespace TicketToken.Benchmarks.Harness;

/// <summary>What a benchmark gets: the database, the sample counts, a log for progress.</summary>
public sealed class BenchmarkContext(IConfiguration configuration, BenchmarkSettings settings)
{
    public IConfiguration Configuration { get; } = configuration;

    public BenchmarkSettings Settings { get; } = settings;

    /// <summary>The database in <c>ConnectionStrings:TicketToken</c>; the runner checks it is set before a benchmark that needs it runs.</summary>
    public string ConnectionString =>
        Configuration.GetConnectionString(DataServiceCollectionExtensions.ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(Runner.MissingConnectionMessage);

    /// <summary>Options for a <see cref="PlatformDbContext"/> configured exactly as the portal configures it.</summary>
    public DbContextOptions<PlatformDbContext> PlatformOptions()
    {
        var builder = new DbContextOptionsBuilder<PlatformDbContext>();
        DataServiceCollectionExtensions.ConfigurePlatform(builder, ConnectionString);
        return builder.Options;
    }

    /// <summary>Progress for people, on stderr so that stdout stays table + figures.</summary>
    public static void Log(string message) => Console.Error.WriteLine($"  .. {message}");
}

/// <summary>Sample counts, overridable with <c>--samples N</c> / <c>--iterations N</c> / <c>--warmup N</c>.</summary>
public sealed record BenchmarkSettings(int Samples = 5, int Iterations = 200, int Warmup = 20);
