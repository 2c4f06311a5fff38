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
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddSharedDevelopmentSettings(builder.Environment);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddTicketTokenData(builder.Configuration);
        builder.Services.AddTicketTokenJobs(builder.Configuration, runServer: true);
        builder.Services.AddHealthChecks();

        var app = builder.Build();
        app.MapHealthChecks("/health/live");
        await app.RunAsync();
    }
}
