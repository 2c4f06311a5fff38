using Microsoft.EntityFrameworkCore;
using TicketToken.Data;

namespace TicketToken.Tests.Infrastructure;

/// <summary>A PlatformDbContext factory on a given connection (typically the RLS-bound app role), configured as the application configures it.</summary>
public sealed class AppContexts(string connectionString) : IDbContextFactory<PlatformDbContext>
{
    public PlatformDbContext CreateDbContext() => new(TemplateDatabase.ContextOptions(connectionString));
}
