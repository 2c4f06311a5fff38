using System.Text.Json;
using TicketToken.Portal.Support;

namespace TicketToken.Tests.Support;

public sealed class RefundArithmeticTests
{
    private static readonly Guid A = Guid.NewGuid();
    private static readonly Guid B = Guid.NewGuid();
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly RefundAllowance Anything = RefundMath.Evaluate(null, null, Now);

    // Items: 2 × $50.00 and 1 × $33.33 (items total $133.33); paid $144.00 with tax.
    private static OrderMoney Money(long reserved = 0, int refundedA = 0, int refundedB = 0, long paid = 14400) => new(paid, reserved,
    [
        new RefundableItem(A, "General", 2, 5000, 10000, refundedA),
        new RefundableItem(B, "Balcony", 1, 3333, 3333, refundedB),
    ]);

    [Fact]
    public void A_full_refund_is_what_was_paid_minus_earlier_refunds()
    {
        var (calc, error) = RefundMath.Calculate(Money(reserved: 1000), Anything, RefundKind.Full, null, null);

        Assert.Null(error);
        Assert.Equal(13400, calc!.AmountCents);
        Assert.Equal(0, calc.RemainingBalanceCents);
    }

    [Fact]
    public void A_partial_refund_takes_the_amount_and_leaves_the_rest()
    {
        var (calc, _) = RefundMath.Calculate(Money(), Anything, RefundKind.Partial, 2550, null);

        Assert.Equal(2550, calc!.AmountCents);
        Assert.Equal(14400 - 2550, calc.RemainingBalanceCents);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(13401)]
    public void A_partial_refund_outside_what_is_left_is_refused(long amount)
    {
        var (calc, error) = RefundMath.Calculate(Money(reserved: 1000), Anything, RefundKind.Partial, amount, null);

        Assert.Null(calc);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void An_item_refund_is_the_items_share_of_what_was_paid_rounded_down()
    {
        // 3333 × 14400 / 13333 = 3599.91 → 3599; one of A: 5000 × 14400 / 13333 = 5400.03 → 5400.
        var (b, _) = RefundMath.Calculate(Money(), Anything, RefundKind.Item, null, [new ItemSelection(B, 1)]);
        var (a, _) = RefundMath.Calculate(Money(), Anything, RefundKind.Item, null, [new ItemSelection(A, 1)]);

        Assert.Equal(3599, b!.AmountCents);
        Assert.Equal(5400, a!.AmountCents);
    }

    [Fact]
    public void Refunding_every_remaining_item_refunds_the_whole_remaining_balance_so_no_cent_is_stranded()
    {
        // Earlier: one A (5400) and B (3599) refunded; the last A would be 5400 by share, but 14400 − 8999 = 5401 is left.
        var (calc, _) = RefundMath.Calculate(Money(reserved: 8999, refundedA: 1, refundedB: 1), Anything, RefundKind.Item, null, [new ItemSelection(A, 1)]);

        Assert.Equal(5401, calc!.AmountCents);
        Assert.Equal(0, calc.RemainingBalanceCents);
    }

    [Fact]
    public void An_item_already_refunded_cannot_be_refunded_again()
    {
        var (calc, error) = RefundMath.Calculate(Money(reserved: 3599, refundedB: 1), Anything, RefundKind.Item, null, [new ItemSelection(B, 1)]);

        Assert.Null(calc);
        Assert.Contains("Balcony", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_item_not_in_the_order_is_refused()
    {
        var (calc, error) = RefundMath.Calculate(Money(), Anything, RefundKind.Item, null, [new ItemSelection(Guid.NewGuid(), 1)]);

        Assert.Null(calc);
        Assert.NotNull(error);
    }

    [Fact]
    public void A_percentage_rule_rounds_down_in_cents_and_applies_to_items()
    {
        var policy = Policy(Rule("PERCENTAGE", pct: 75));
        var allowance = RefundMath.Evaluate(policy, Now.AddDays(10), Now);

        var (full, _) = RefundMath.Calculate(Money(), allowance, RefundKind.Full, null, null);
        var (item, _) = RefundMath.Calculate(Money(), allowance, RefundKind.Item, null, [new ItemSelection(B, 1)]);
        var (tooMuch, error) = RefundMath.Calculate(Money(), allowance, RefundKind.Partial, 10801, null);

        Assert.Equal(10800, full!.AmountCents);           // 14400 × 75 / 100
        Assert.Equal(2699, item!.AmountCents);            // 3599 × 75 / 100 = 2699.25 → 2699
        Assert.Null(tooMuch);
        Assert.NotNull(error);
    }

    [Fact]
    public void A_flat_fee_is_kept_once_per_order()
    {
        var allowance = RefundMath.Evaluate(Policy(Rule("FLAT_FEE", config: """{"fee_cents": 250}""")), Now.AddDays(10), Now);

        var (first, _) = RefundMath.Calculate(Money(), allowance, RefundKind.Full, null, null);
        var (afterPartial, _) = RefundMath.Calculate(Money(reserved: 4000), allowance, RefundKind.Full, null, null);

        Assert.Equal(14150, first!.AmountCents);
        Assert.Equal(10150, afterPartial!.AmountCents);
    }

    [Fact]
    public void When_the_policy_has_nothing_more_to_give_the_message_says_how_much_it_allows_in_all()
    {
        var allowance = RefundMath.Evaluate(Policy(Rule("PERCENTAGE", pct: 50), Rule("FLAT_FEE", config: """{"fee_cents": 200}""")), Now.AddDays(10), Now);

        var (calc, error) = RefundMath.Calculate(Money(reserved: 7000), allowance, RefundKind.Full, null, null);
        var (_, paidBack) = RefundMath.Calculate(Money(reserved: 14400), Anything, RefundKind.Full, null, null);

        Assert.Null(calc);
        Assert.Equal("The refund policy allows $70.00 in all for this order (50% of $144.00 paid, less a $2.00 fee), and $70.00 is already refunded or pending: nothing more can be refunded.", error);
        Assert.Equal("Nothing is left to refund: $144.00 paid, $144.00 already refunded or pending.", paidBack);
    }

    [Fact]
    public void Time_rules_and_tiers_follow_the_hours_left_before_the_event()
    {
        var policy = Policy(
            Rule("TIME_BASED", condition: 168, pct: 100, priority: 2),
            Rule("TIERED", config: """{"tiers": [{"hours_before": 48, "percentage": 50}, {"hours_before": 0, "percentage": 10}]}""", priority: 1));

        Assert.Equal(100, RefundMath.Evaluate(policy, Now.AddDays(8), Now).Percentage);
        Assert.Equal(50, RefundMath.Evaluate(policy, Now.AddDays(3), Now).Percentage);
        Assert.Equal(10, RefundMath.Evaluate(policy, Now.AddHours(5), Now).Percentage);
    }

    [Fact]
    public void No_refund_rules_and_a_closed_window_make_a_refund_a_policy_exception()
    {
        var none = RefundMath.Evaluate(Policy(Rule("NO_REFUND")), Now.AddDays(30), Now);
        var closed = RefundMath.Evaluate(Policy(windowHours: 48), Now.AddHours(12), Now);
        var past = RefundMath.Evaluate(Policy(windowHours: 48), Now.AddDays(-3), Now);
        var open = RefundMath.Evaluate(Policy(windowHours: 48), Now.AddDays(3), Now);

        Assert.True(none.Exception);
        Assert.True(closed.Exception);
        Assert.True(past.Exception);
        Assert.Contains("already started", past.Explanation, StringComparison.Ordinal);
        Assert.False(open.Exception);
        Assert.Equal(100, RefundMath.Calculate(Money(), closed, RefundKind.Partial, 100, null).Result!.AmountCents);
    }

    [Fact]
    public void Outside_the_window_the_rules_still_bound_the_amount()
    {
        var policy = new RefundPolicyFacts(Guid.NewGuid(), "Half", 48, [Rule("PERCENTAGE", pct: 50)]);
        var closed = RefundMath.Evaluate(policy, Now.AddHours(1), Now);

        Assert.True(closed.Exception);
        Assert.Equal(7200, RefundMath.Calculate(Money(), closed, RefundKind.Full, null, null).Result!.AmountCents);
    }

    [Fact]
    public void A_zero_percentage_allows_nothing()
    {
        var allowance = RefundMath.Evaluate(Policy(Rule("PERCENTAGE", pct: 0)), Now.AddDays(30), Now);

        Assert.False(allowance.Allowed);
        Assert.Null(RefundMath.Calculate(Money(), allowance, RefundKind.Full, null, null).Result);
    }

    [Fact]
    public void Nothing_paid_means_nothing_to_refund()
    {
        var (calc, error) = RefundMath.Calculate(Money(paid: 0), Anything, RefundKind.Full, null, null);

        Assert.Null(calc);
        Assert.Contains("Nothing was paid", error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_sequence_of_refunds_ever_exceeds_what_was_paid()
    {
        var rng = new Random(20261125);
        for (var round = 0; round < 200; round++)
        {
            var paid = rng.NextInt64(1, 100_000);
            var allowance = RefundMath.Evaluate(Policy(Rule("PERCENTAGE", pct: rng.Next(1, 101)), Rule("FLAT_FEE", condition: rng.Next(0, 500))), null, Now);
            long reserved = 0;
            for (var step = 0; step < 6; step++)
            {
                var money = new OrderMoney(paid, reserved, [new RefundableItem(A, "A", 3, paid / 3, paid, 0)]);
                var kind = (RefundKind)rng.Next(0, 2);
                var (calc, _) = RefundMath.Calculate(money, allowance, kind, rng.NextInt64(1, paid + 1), null);
                if (calc is not null)
                {
                    Assert.True(calc.AmountCents > 0);
                    reserved += calc.AmountCents;
                }

                Assert.True(reserved <= paid, $"refunded {reserved} of {paid}");
            }
        }
    }

    [Theory]
    [InlineData("144.00", 14400)]
    [InlineData("0.01", 1)]
    [InlineData("33.335", 3334)]
    [InlineData("99.994", 9999)]
    public void Payment_amounts_in_dollars_become_cents(string dollars, long cents)
    {
        Assert.Equal(cents, RefundMath.ToCents(decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static RefundPolicyFacts Policy(params RefundRuleFacts[] rules) => new(Guid.NewGuid(), "Test policy", 0, rules);

    private static RefundPolicyFacts Policy(int windowHours) => new(Guid.NewGuid(), "Window policy", windowHours, []);

    private static RefundRuleFacts Rule(string type, int? condition = null, int? pct = null, string? config = null, int priority = 0) =>
        new(type, null, condition, pct, config is null ? null : JsonDocument.Parse(config).RootElement, priority);
}
