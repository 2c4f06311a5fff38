using TicketToken.Data.Seeding;

namespace TicketToken.Tests.Data.Seeding;

public sealed class SeedIdsTests
{
    private static readonly SeedIds Ids = new(42);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1_000)]
    [InlineData(2_838_116)]
    public void Ascending_ids_rise_with_their_position_and_are_random_version_4_ids(long count)
    {
        var previous = (Guid?)null;
        for (long p = 0; p < count; p++)
        {
            var id = Ids.Ascending("tickets", p, count);
            Assert.Equal(4, id.Version);
            Assert.Equal(0x8, id.Variant & 0xC);
            if (previous is { } before)
            {
                // Byte order (the hex text's order) is how PostgreSQL compares uuids; Guid.CompareTo must agree.
                Assert.True(string.CompareOrdinal(before.ToString("N"), id.ToString("N")) < 0, $"position {p}: {id} is not above {before}");
                Assert.True(before.CompareTo(id) < 0);
            }

            previous = id;
        }
    }

    [Fact]
    public void Ascending_ids_spread_over_the_whole_range_and_are_reproducible()
    {
        const long count = 1_000_000;
        var ids = new[] { 0L, count / 4, count / 2, count - 1 }.Select(p => Ids.Ascending("orders", p, count)).ToArray();

        Assert.Equal("00", ids[0].ToString("N")[..2]);
        Assert.Equal("40", ids[1].ToString("N")[..2]);
        Assert.Equal("80", ids[2].ToString("N")[..2]);
        Assert.Equal("ff", ids[3].ToString("N")[..2]);
        Assert.Equal(ids[2], Ids.Ascending("orders", count / 2, count));
        Assert.NotEqual(ids[2], Ids.Ascending("tickets", count / 2, count));
        Assert.NotEqual(ids[2], new SeedIds(43).Ascending("orders", count / 2, count));
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(10, 10)]
    [InlineData(0, 0)]
    public void A_position_outside_the_count_is_refused(long position, long count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Ids.Ascending("orders", position, count));
}
