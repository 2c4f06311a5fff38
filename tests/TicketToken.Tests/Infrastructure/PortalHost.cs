using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using TicketToken.Portal.Hosting;

namespace TicketToken.Tests.Infrastructure;

/// <summary>The portal's real service wiring, built but not started, in a chosen environment and configuration.</summary>
public static class PortalHost
{
    public static WebApplication Build(string environment, IReadOnlyDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ApplicationName = typeof(Program).Assembly.GetName().Name,
        });
        builder.Configuration["Jobs:RunInProcess"] = "false";
        builder.Configuration["Jobs:RegisterRecurringJobs"] = "false";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTicketTokenPortal();
        TestLogging.NeverDisposed(builder.Services);
        return builder.Build();
    }
}
