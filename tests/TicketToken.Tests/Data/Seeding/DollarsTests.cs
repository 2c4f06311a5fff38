using TicketToken.Data.Seeding;

namespace TicketToken.Tests.Data.Seeding;

public sealed class DollarsTests
{
    [Fact]
    public void Dollars_equals_the_decimal_division_in_value_and_scale()
    {
        var cents = Enumerable.Range(-120_000, 240_001).Select(c => (long)c)
            .Concat([long.MinValue, long.MinValue + 1, long.MaxValue, long.MaxValue - 1, 4_294_967_295, 4_294_967_296, 429_496_729_600, 12_345_678_901_234, -98_765_432_109_870]);
        foreach (var c in cents)
        {
            var expected = c / 100m;
            var actual = CoreSeeder.Dollars(c);
            Assert.True(
                decimal.GetBits(expected).SequenceEqual(decimal.GetBits(actual)),
                $"{c} cents: expected {expected} (scale {expected.Scale}), got {actual} (scale {actual.Scale})");
        }
    }
}
