using Microsoft.EntityFrameworkCore;

namespace TicketToken.Benchmarks.Harness;

/// <summary>An <see cref="IDbContextFactory{TContext}"/> over a function: benchmarks build their contexts as the portal configures them.</summary>
public sealed class ContextFactory<T>(Func<T> create) : IDbContextFactory<T>
    where T : DbContext
{
    public T CreateDbContext() => create();
}
