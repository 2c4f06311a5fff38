using Microsoft.Extensions.Configuration;

namespace TicketToken.Data.Infrastructure;

/// <summary>
/// <c>Platform:Database</c>: <c>Embedded</c> (default) — the portal owns the platform schema and migrates it;
/// <c>Existing</c> — the portal runs on the platform's own database, applies only its own and Hangfire's schemas,
/// and checks the platform tables against its model.
/// </summary>
public static class PlatformDatabaseMode
{
    public const string Key = "Platform:Database";

    public static bool IsExisting(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.Equals(configuration[Key], "Existing", StringComparison.OrdinalIgnoreCase);
    }
}
