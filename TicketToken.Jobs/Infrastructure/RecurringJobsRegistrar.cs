using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.Jobs.Auth;

namespace TicketToken.Jobs.Infrastructure;

/// <summary>Registers the recurring jobs under stable ids, so every process can do it without creating duplicates.</summary>
internal sealed partial class RecurringJobsRegistrar(
    IRecurringJobManager recurringJobs,
    IOptions<JobsOptions> options,
    ILogger<RecurringJobsRegistrar> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.RegisterRecurringJobs)
        {
            return Task.CompletedTask;
        }

        Register(recurringJobs);
        LogRegistered(logger, PurgeExpiredInvalidatedTokensJob.RecurringJobId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static void Register(IRecurringJobManager recurringJobs)
    {
        ArgumentNullException.ThrowIfNull(recurringJobs);
        recurringJobs.AddOrUpdate<PurgeExpiredInvalidatedTokensJob>(
            PurgeExpiredInvalidatedTokensJob.RecurringJobId,
            JobQueues.Maintenance,
            job => job.RunAsync(CancellationToken.None),
            "15 3 * * *",
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recurring jobs registered ({FirstJobId}, ...)")]
    private static partial void LogRegistered(ILogger logger, string firstJobId);
}
