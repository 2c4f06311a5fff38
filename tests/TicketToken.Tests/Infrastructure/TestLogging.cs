using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TicketToken.Tests.Infrastructure;

/// <summary>
/// Hangfire logs through one process-wide provider, which every host that starts Hangfire points at its own logger factory.
/// Many hosts share a test process and are disposed one after another; a disposed factory would break Hangfire in the
/// hosts still running (and the schema installer). Test hosts therefore log to a factory that is never disposed.
/// </summary>
public static class TestLogging
{
    public static void NeverDisposed(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(NullLoggerFactory.Instance));
}
