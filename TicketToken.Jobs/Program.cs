using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TicketToken.Data.Infrastructure;
using TicketToken.Jobs.Infrastructure;

namespace TicketToken.Jobs;

/// <summary>
/// A separate Hangfire worker: 'dotnet run --project TicketToken.Jobs'. Run as many as a deployment needs, and set
/// Jobs:RunInProcess=false on the portal when they carry the load.
/// </summary>
public static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        WebApplication app;
        try
        {
            var builder = WebApplication.CreateSlimBuilder(args);
            builder.Configuration.AddSharedDevelopmentSettings(builder.Environment);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddTicketTokenData(builder.Configuration);
            builder.Services.AddTicketTokenJobs(builder.Configuration, runServer: true);
            builder.Services.AddHealthChecks();
            app = builder.Build();
        }
        catch (MissingConfigurationException missing)
        {
            await Console.Error.WriteLineAsync($"The job worker refuses to start: {missing.Message}");
            return 1;
        }

        app.MapHealthChecks("/health/live");
        await app.RunAsync();

        return 0;
    }
}
