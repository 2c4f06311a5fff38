namespace TicketToken.Data.Seeding;

/// <summary>What every generator of one run shares: seed, ids, the fixed "now", and the seeded tenants.</summary>
internal sealed class SeedContext
{
    public SeedContext(SeedOptions options)
    {
        Options = options;
        Seed = options.Seed;
        Ids = new SeedIds(options.Seed);
        Anchor = DateTime.SpecifyKind(options.AnchorUtc, DateTimeKind.Utc);
    }

    public SeedOptions Options { get; }

    public int Seed { get; }

    public SeedIds Ids { get; }

    public DateTime Anchor { get; }

    public List<Guid> TenantIds { get; } = [];

    /// <summary>Picks a tenant for a generic row: the demo tenant most of the time.</summary>
    public Guid PickTenant(ref Rng rng) => TenantIds.Count == 0 ? Guid.Empty : rng.Chance(0.7) ? TenantIds[0] : TenantIds[rng.Next(TenantIds.Count)];
}
