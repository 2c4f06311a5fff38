using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Health;

public static class HealthTags
{
    public const string Ready = "ready";
}

/// <summary>The database answers.</summary>
internal sealed class DatabaseReadyCheck(IDbContextFactory<PortalDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("PostgreSQL answers.")
                : HealthCheckResult.Unhealthy("PostgreSQL does not answer.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer.");
        }
    }
}

/// <summary>Every migration the portal knows is applied (the platform's too, when the portal owns the platform schema).</summary>
internal sealed class MigrationsAppliedCheck(
    IDbContextFactory<PortalDbContext> portal,
    IDbContextFactory<PlatformDbContext> platform,
    IConfiguration configuration) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var p = await portal.CreateDbContextAsync(cancellationToken);
            var pending = (await p.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            if (!PlatformDatabaseMode.IsExisting(configuration))
            {
                await using var pl = await platform.CreateDbContextAsync(cancellationToken);
                pending += (await pl.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            }

            return pending == 0
                ? HealthCheckResult.Healthy("All migrations are applied.")
                : HealthCheckResult.Unhealthy($"{pending} migration(s) are not applied: run 'db migrate'.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Could not read the migrations history.");
        }
    }
}

/// <summary>Hangfire's storage answers.</summary>
internal sealed class HangfireStorageCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = storage.GetConnection();
            var servers = storage.GetMonitoringApi().Servers().Count;
            return Task.FromResult(HealthCheckResult.Healthy($"Hangfire storage answers; {servers} server(s)."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire storage does not answer."));
        }
    }
}

/// <summary>Status per check, never exception details.</summary>
internal static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
