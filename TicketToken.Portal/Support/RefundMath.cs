using System.Text.Json;

namespace TicketToken.Portal.Support;

/// <summary>A refund policy as the platform stores it (refund_policies) with its active rules (refund_policy_rules).</summary>
public sealed record RefundPolicyFacts(Guid Id, string Name, int RefundWindowHours, IReadOnlyList<RefundRuleFacts> Rules);

public sealed record RefundRuleFacts(string RuleType, string? ConditionType, int? ConditionValue, int? RefundPercentage, JsonElement? Config, int Priority);

/// <summary>What the policy allows for one order at one moment.</summary>
/// <param name="Exception">The policy does not cover a refund now (its window has closed, or a NO_REFUND rule applies): one may
/// still be requested as a policy exception, which always waits for a second person's approval, whatever its amount.</param>
public sealed record RefundAllowance(bool Allowed, int Percentage, long FeeCents, string Explanation, bool Exception = false);

/// <summary>One order line as refund arithmetic needs it: its value and how many of its units were already refunded.</summary>
public sealed record RefundableItem(Guid Id, string Name, int Quantity, long UnitPriceCents, long TotalPriceCents, int RefundedQuantity)
{
    public int RemainingQuantity => Math.Max(0, Quantity - RefundedQuantity);
}

public sealed record ItemSelection(Guid ItemId, int Quantity);

public enum RefundKind
{
    Full,
    Partial,
    Item,
}

/// <summary>The money facts of an order that bound every refund.</summary>
/// <param name="PaidCents">What the customer paid: the order's captured purchase transactions.</param>
/// <param name="ReservedCents">Earlier refunds that still count: pending, awaiting approval or completed (not rejected or failed).</param>
public sealed record OrderMoney(long PaidCents, long ReservedCents, IReadOnlyList<RefundableItem> Items)
{
    public long RefundableCents => Math.Max(0, PaidCents - ReservedCents);
}

public sealed record RefundCalculation(long AmountCents, long AvailableCents, long RemainingBalanceCents, string Rule, IReadOnlyList<ItemSelection> Items);

/// <summary>
/// Refund arithmetic in integer cents. The rules (also shown to the agent next to the amount):
/// <list type="bullet">
/// <item>The policy allows <c>floor(paid × percentage / 100) − flat fee</c> in total (never below 0); what it still allows
/// is that minus earlier refunds (pending, awaiting approval or completed). No refund ever exceeds what was paid minus
/// earlier refunds.</item>
/// <item>An item's refundable value is its share of what was paid: <c>floor(unit price × quantity × paid / items total)</c>,
/// rounded down so that the shares of all items never add up to more than was paid. When a refund covers every unit
/// not yet refunded, it refunds the whole remaining balance instead, so the cents lost to rounding are not stranded.</item>
/// <item>A policy percentage applies to the item value with <c>floor(value × percentage / 100)</c>; the result is capped at
/// what the policy still allows.</item>
/// </list>
/// </summary>
public static class RefundMath
{
    public const string NoPolicy = "No refund policy applies to this order: up to what was paid may be refunded.";

    /// <summary>Evaluates a policy for an event that starts at <paramref name="eventStart"/> (unknown: no time rule applies).</summary>
    public static RefundAllowance Evaluate(RefundPolicyFacts? policy, DateTimeOffset? eventStart, DateTimeOffset now)
    {
        if (policy is null)
        {
            return new RefundAllowance(true, 100, 0, NoPolicy);
        }

        double? hoursBefore = eventStart is { } start ? (start - now).TotalHours : null;
        var exceptions = new List<string>();
        if (hoursBefore is { } h && policy.RefundWindowHours > 0 && h < policy.RefundWindowHours)
        {
            exceptions.Add(h < 0
                ? $"refunds closed {policy.RefundWindowHours} h before the event, which has already started"
                : $"refunds close {policy.RefundWindowHours} h before the event starts; it starts in {Math.Floor(h)} h");
        }

        int? percentage = null;
        long fee = 0;
        var notes = new List<string>();
        foreach (var rule in policy.Rules.OrderByDescending(r => r.Priority))
        {
            switch (rule.RuleType)
            {
                case "NO_REFUND":
                    exceptions.Add("a NO_REFUND rule applies");
                    break;
                case "PERCENTAGE" when percentage is null:
                    percentage = Clamp(rule.RefundPercentage ?? 100);
                    notes.Add($"{percentage}% refundable");
                    break;
                case "TIME_BASED" when percentage is null && (hoursBefore is null || hoursBefore >= (rule.ConditionValue ?? 0)):
                    percentage = Clamp(rule.RefundPercentage ?? 100);
                    notes.Add($"{percentage}% when at least {rule.ConditionValue ?? 0} h before the event");
                    break;
                case "TIERED" when percentage is null && Tier(rule.Config, hoursBefore) is { } tier:
                    percentage = Clamp(tier);
                    notes.Add($"{percentage}% by tier");
                    break;
                case "FLAT_FEE":
                    var ruleFee = FeeCents(rule);
                    fee += ruleFee;
                    notes.Add($"fee {Money(ruleFee)}");
                    break;
            }
        }

        var pct = percentage ?? 100;
        var text = $"Policy '{policy.Name}': " + (notes.Count == 0 ? "full refund" : string.Join(", ", notes)) + ".";
        if (exceptions.Count > 0)
        {
            // Outside the policy the rules' percentage and fee still bound the amount, and a second person must approve it.
            return new RefundAllowance(pct > 0, pct, fee,
                $"Policy '{policy.Name}': {string.Join("; ", exceptions)}. A refund is a policy exception and waits for a second person's approval. {text}",
                Exception: true);
        }

        return new RefundAllowance(pct > 0, pct, fee, text);
    }

    /// <summary>The most the policy still allows for this order, in cents.</summary>
    public static long Available(OrderMoney money, RefundAllowance allowance)
    {
        ArgumentNullException.ThrowIfNull(money);
        ArgumentNullException.ThrowIfNull(allowance);
        if (!allowance.Allowed)
        {
            return 0;
        }

        return Math.Min(money.RefundableCents, Math.Max(0, AllowedTotal(money, allowance) - money.ReservedCents));
    }

    /// <summary>All the policy allows for the order, earlier refunds included: <c>floor(paid × percentage / 100) − fee</c>, never below 0.</summary>
    private static long AllowedTotal(OrderMoney money, RefundAllowance allowance) =>
        Math.Max(0, (money.PaidCents * allowance.Percentage / 100) - allowance.FeeCents);

    /// <summary>The amount of a refund, or a message saying why it cannot be made. Never above <see cref="Available"/>.</summary>
    public static (RefundCalculation? Result, string? Error) Calculate(
        OrderMoney money, RefundAllowance allowance, RefundKind kind, long? amountCents, IReadOnlyList<ItemSelection>? items)
    {
        ArgumentNullException.ThrowIfNull(money);
        ArgumentNullException.ThrowIfNull(allowance);
        if (money.PaidCents <= 0)
        {
            return (null, "Nothing was paid for this order, so there is nothing to refund.");
        }

        if (!allowance.Allowed)
        {
            return (null, "The refund policy does not allow a refund: " + allowance.Explanation);
        }

        var available = Available(money, allowance);
        if (available <= 0)
        {
            var allowedTotal = AllowedTotal(money, allowance);
            return money.RefundableCents > 0 && allowedTotal < money.PaidCents
                ? (null, $"The refund policy allows {Money(allowedTotal)} in all for this order ({allowance.Percentage}% of {Money(money.PaidCents)} paid"
                    + (allowance.FeeCents > 0 ? $", less a {Money(allowance.FeeCents)} fee" : "")
                    + $"), and {Money(money.ReservedCents)} is already refunded or pending: nothing more can be refunded.")
                : (null, $"Nothing is left to refund: {Money(money.PaidCents)} paid, {Money(money.ReservedCents)} already refunded or pending.");
        }

        switch (kind)
        {
            case RefundKind.Full:
                return (Result(available, "full: everything the policy still allows"), null);

            case RefundKind.Partial:
                if (amountCents is not { } amount || amount <= 0)
                {
                    return (null, "Enter an amount greater than zero.");
                }

                if (amount > available)
                {
                    return (null, $"{Money(amount)} is more than can still be refunded ({Money(available)}).");
                }

                return (Result(amount, "partial: the amount entered"), null);

            case RefundKind.Item:
                return ItemRefund(money, allowance, available, items);

            default:
                return (null, "Unknown kind of refund.");
        }

        RefundCalculation Result(long cents, string rule, IReadOnlyList<ItemSelection>? chosen = null) =>
            new(cents, available, money.PaidCents - money.ReservedCents - cents, rule, chosen ?? []);
    }

    private static (RefundCalculation? Result, string? Error) ItemRefund(
        OrderMoney money, RefundAllowance allowance, long available, IReadOnlyList<ItemSelection>? items)
    {
        var chosen = (items ?? []).Where(i => i.Quantity > 0).GroupBy(i => i.ItemId)
            .Select(g => new ItemSelection(g.Key, g.Sum(i => i.Quantity))).ToList();
        if (chosen.Count == 0)
        {
            return (null, "Choose at least one item to refund.");
        }

        var byId = money.Items.ToDictionary(i => i.Id);
        var itemsTotal = money.Items.Sum(i => i.TotalPriceCents);
        if (itemsTotal <= 0)
        {
            return (null, "The order's items have no value to refund.");
        }

        long value = 0;
        foreach (var pick in chosen)
        {
            if (!byId.TryGetValue(pick.ItemId, out var item))
            {
                return (null, "An item chosen is not part of this order.");
            }

            if (pick.Quantity > item.RemainingQuantity)
            {
                return (null, $"Only {item.RemainingQuantity} of '{item.Name}' can still be refunded.");
            }

            // The line's own total over its quantity (total_price_cents already reflects line-level pricing).
            var lineValue = item.Quantity == 0 ? 0 : item.TotalPriceCents * pick.Quantity / item.Quantity;
            value += lineValue * money.PaidCents / itemsTotal;
        }

        var coversEverything = money.Items.All(i => i.RemainingQuantity == (chosen.FirstOrDefault(c => c.ItemId == i.Id)?.Quantity ?? 0));
        string rule;
        if (coversEverything)
        {
            value = money.RefundableCents;
            rule = "items: every remaining item, so the remaining balance";
        }
        else
        {
            rule = "items: floor(line value × paid / items total)";
        }

        var amount = value * allowance.Percentage / 100;
        if (allowance.Percentage != 100)
        {
            rule += $", × {allowance.Percentage}% rounded down";
        }

        if (amount > available)
        {
            amount = available;
            rule += ", capped at what the policy still allows";
        }

        if (amount <= 0)
        {
            return (null, "The items chosen have no refundable value under the policy.");
        }

        return (new RefundCalculation(amount, available, money.PaidCents - money.ReservedCents - amount, rule, chosen), null);
    }

    public static string Money(long cents) =>
        (cents < 0 ? "-" : "") + "$" + (Math.Abs(cents) / 100).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
        + "." + (Math.Abs(cents) % 100).ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Decimal dollars (the payment tables) to integer cents, rounded half away from zero.</summary>
    public static long ToCents(decimal dollars) => (long)Math.Round(dollars * 100m, MidpointRounding.AwayFromZero);

    private static int Clamp(int pct) => Math.Clamp(pct, 0, 100);

    private static long FeeCents(RefundRuleFacts rule)
    {
        if (rule.Config is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty("fee_cents", out var f) && f.TryGetInt64(out var cents))
        {
            return Math.Max(0, cents);
        }

        return Math.Max(0, rule.ConditionValue ?? 0);
    }

    /// <summary>TIERED: <c>{"tiers": [{"hours_before": 168, "percentage": 100}, ...]}</c>; the tier with the largest hours_before still reached.</summary>
    private static int? Tier(JsonElement? config, double? hoursBefore)
    {
        if (config is not { ValueKind: JsonValueKind.Object } c || !c.TryGetProperty("tiers", out var tiers) || tiers.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        int? best = null;
        var bestHours = double.MinValue;
        foreach (var tier in tiers.EnumerateArray())
        {
            if (tier.ValueKind != JsonValueKind.Object
                || !tier.TryGetProperty("percentage", out var p) || !p.TryGetInt32(out var pct))
            {
                continue;
            }

            var hours = tier.TryGetProperty("hours_before", out var hb) && hb.TryGetDouble(out var hv) ? hv : 0;
            if ((hoursBefore is null || hoursBefore >= hours) && hours > bestHours)
            {
                best = pct;
                bestHours = hours;
            }
        }

        return best;
    }
}
