using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TicketToken.Jobs.Auth;
using TicketToken.Jobs.Infrastructure;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Jobs;

public sealed class PurgeExpiredInvalidatedTokensJobTests() : TemplateDatabaseTest("tt_purge")
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 3, 15, 0, TimeSpan.Zero);
    [Fact]
    public async Task Deletes_only_expired_tokens_in_every_tenant_while_bound_by_row_level_security()
    {
        var a = await PlatformRows.AddTenantWithUserAsync(Database, "tenant-a");
        var b = await PlatformRows.AddTenantWithUserAsync(Database, "tenant-b");
        await PlatformRows.AddInvalidatedTokenAsync(Database, a.Tenant, a.User, "a-expired", Now.AddMinutes(-1));
        await PlatformRows.AddInvalidatedTokenAsync(Database, a.Tenant, a.User, "a-valid", Now.AddHours(1));
        await PlatformRows.AddInvalidatedTokenAsync(Database, b.Tenant, b.User, "b-expired", Now.AddDays(-3));
        await PlatformRows.AddInvalidatedTokenAsync(Database, b.Tenant, b.User, "b-valid", Now.AddSeconds(1));
        var job = new PurgeExpiredInvalidatedTokensJob(
            new AppContexts(TemplateDatabase.AppConnectionString(Database)), new FakeTimeProvider(Now), NullLogger<PurgeExpiredInvalidatedTokensJob>.Instance);

        var deleted = await job.RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, deleted);
        Assert.Equal(["a-valid", "b-valid"], await PlatformRows.TokensAsync(Database));
        Assert.Equal(0, await job.RunAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Is_registered_as_a_recurring_job_with_a_stable_id_in_hangfire_storage()
    {
        var options = JobsServiceCollectionExtensions.HangfireStorageOptions();
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(TemplateDatabase.AppConnectionString(Database), options), options);

        RecurringJobsRegistrar.Register(new RecurringJobManager(storage));
        RecurringJobsRegistrar.Register(new RecurringJobManager(storage));

        using var connection = storage.GetConnection();
        var jobs = connection.GetRecurringJobs();
        var purge = Assert.Single(jobs, j => j.Id == PurgeExpiredInvalidatedTokensJob.RecurringJobId);
        Assert.Equal("15 3 * * *", purge.Cron);
    }
}
