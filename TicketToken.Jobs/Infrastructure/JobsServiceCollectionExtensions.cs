using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Data.Infrastructure;
using TicketToken.Jobs.Auth;

namespace TicketToken.Jobs.Infrastructure;

public static class JobsServiceCollectionExtensions
{
    public const string HangfireSchema = "hangfire";

    /// <summary>Hangfire on PostgreSQL (schema <c>hangfire</c> of the same database), the job classes, and,
    /// when <paramref name="runServer"/> is true, a Hangfire server in this process.</summary>
    public static IServiceCollection AddTicketTokenJobs(this IServiceCollection services, IConfiguration configuration, bool? runServer = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        services.Configure<JobsOptions>(configuration.GetSection(JobsOptions.Section));
        var connectionString = configuration.GetTicketTokenConnectionString();

        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                o => o.UseNpgsqlConnection(connectionString),
                HangfireStorageOptions()));

        services.AddTransient<PurgeExpiredInvalidatedTokensJob>();
        services.AddHostedService<RecurringJobsRegistrar>();

        if (runServer ?? options.RunInProcess)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Max(1, options.WorkerCount);
                o.Queues = JobQueues.All;
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            });
        }

        return services;
    }

    /// <summary>Storage options shared by every process. The schema is installed by 'db migrate', never at startup,
    /// so the runtime role needs no DDL rights.</summary>
    public static PostgreSqlStorageOptions HangfireStorageOptions() => new()
    {
        SchemaName = HangfireSchema,
        PrepareSchemaIfNecessary = false,
        QueuePollInterval = TimeSpan.FromSeconds(5),
        InvisibilityTimeout = TimeSpan.FromMinutes(30),
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
    };
}
