using Hangfire;
using Microsoft.Extensions.Options;
using TicketToken.Jobs.Infrastructure;
using TicketToken.Portal.Security;

namespace TicketToken.Portal.Explorer;

/// <summary>Saved views and exports: services, the portal's export worker, the cleanup job and the download endpoint.</summary>
public static partial class ExplorerExportsHosting
{
    public static IServiceCollection AddExplorerViewsAndExports(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<ExplorerExportOptions>(configuration.GetSection(ExplorerExportOptions.Section));
        services.AddScoped<ExplorerSavedViews>();
        services.AddScoped<ExplorerExports>();
        services.AddTransient<ExplorerExportJob>();
        services.AddTransient<ExplorerExportCleanupJob>();
        services.AddHostedService<ExplorerRecurringJobsRegistrar>();

        // Exports need the explorer's catalog, so they run in portal processes: every portal instance serves the export
        // queue (and the files live in the database, so any instance can hand out the download).
        var workers = configuration.GetSection(ExplorerExportOptions.Section).Get<ExplorerExportOptions>()?.WorkerCount ?? 1;
        if (workers > 0)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = workers;
                o.Queues = [ExplorerExportJob.Queue];
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:exports";
            });
        }

        return services;
    }

    public static void MapExplorerExportDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/explorer/exports/{id:guid}/download", async (Guid id, HttpContext http, ExplorerExports exports, CancellationToken ct) =>
        {
            var export = await exports.FindDownloadableAsync(id, http.User, ct);
            if (export is null)
            {
                // Someone else's export, an unfinished or expired one: the same answer, so ids cannot be probed.
                return Results.NotFound();
            }

            return Results.Stream(
                stream => exports.CopyToAsync(id, stream, ct),
                ExportFormats.ContentType(export.Format),
                export.FileName);
        }).RequireAuthorization(PortalPolicies.Explorer);
    }

    private sealed partial class ExplorerRecurringJobsRegistrar(
        IRecurringJobManager recurringJobs, IOptions<JobsOptions> options, ILogger<ExplorerRecurringJobsRegistrar> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.RegisterRecurringJobs)
            {
                recurringJobs.AddOrUpdate<ExplorerExportCleanupJob>(
                    ExplorerExportCleanupJob.RecurringJobId,
                    ExplorerExportJob.Queue,
                    job => job.RunAsync(CancellationToken.None),
                    "25 * * * *",
                    new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
                LogRegistered(logger, ExplorerExportCleanupJob.RecurringJobId);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Recurring job registered ({JobId})")]
        private static partial void LogRegistered(ILogger logger, string jobId);
    }
}
