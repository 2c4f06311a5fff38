using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.Options;
using TicketToken.Data.Infrastructure;
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
        // queue (and the files live in the database, so any instance can hand out the download). The queue has its own
        // storage, client and server bound to this host's services, never Hangfire's process-wide JobStorage.Current or
        // JobActivator.Current (which another host in the same process, e.g. in tests, could have replaced).
        services.AddSingleton(sp => new ExplorerExportQueue(new PostgreSqlStorage(
            new NpgsqlConnectionFactory(sp.GetRequiredService<IConfiguration>().GetTicketTokenConnectionString(), JobsServiceCollectionExtensions.HangfireStorageOptions()),
            JobsServiceCollectionExtensions.HangfireStorageOptions())));
        services.AddHostedService<ExplorerExportServer>();
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
        ExplorerExportQueue queue, IOptions<JobsOptions> options, ILogger<ExplorerRecurringJobsRegistrar> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.RegisterRecurringJobs)
            {
                new RecurringJobManager(queue.Storage).AddOrUpdate<ExplorerExportCleanupJob>(
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

    /// <summary>The portal's Hangfire server for the export queue, activating jobs from this host's services.</summary>
    private sealed class ExplorerExportServer(ExplorerExportQueue queue, IServiceScopeFactory scopes, IOptions<ExplorerExportOptions> options) : IHostedService, IDisposable
    {
        private BackgroundJobServer? server;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            var workers = options.Value.WorkerCount;
            if (workers <= 0)
            {
                return Task.CompletedTask;
            }

            var filters = JobFilterProviders.Providers;
            var activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(scopes);
            // The one constructor that takes an activator and filters instead of Hangfire's process-wide defaults.
#pragma warning disable CS0618
            server = new BackgroundJobServer(
                new BackgroundJobServerOptions
                {
                    WorkerCount = workers,
                    Queues = [ExplorerExportJob.Queue],
                    ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:exports",
                },
                queue.Storage,
                [],
                filters,
                activator,
                new BackgroundJobFactory(filters),
                new BackgroundJobPerformer(filters, activator),
                new BackgroundJobStateChanger(filters));
#pragma warning restore CS0618
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (server is not null)
            {
                server.SendStop();
                try
                {
                    await server.WaitForShutdownAsync(cancellationToken);
                }
                catch (ObjectDisposedException)
                {
                    // Hangfire already tore its dispatchers down (for example after its storage failed): stopped.
                }
            }
        }

        public void Dispose() => server?.Dispose();
    }
}

/// <summary>The export queue's own Hangfire storage and client.</summary>
public sealed class ExplorerExportQueue(JobStorage storage)
{
    public JobStorage Storage { get; } = storage;

    public IBackgroundJobClient Client { get; } = new BackgroundJobClient(storage);
}
