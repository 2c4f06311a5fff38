using System.Globalization;

namespace TicketToken.Data.Seeding;

/// <summary>
/// The coherent core of the data set (tenants, users, venues, events, ticket types, discounts) and the order
/// stream. Small dimensions live in memory; orders, tickets and everything hanging off them are recomputed from
/// (seed, order index) whenever a table needs them, so millions of rows stream without being held in memory.
/// Orders are written in a planned sequence (<see cref="OrderAt"/>), and order and ticket ids and numbers are handed out
/// in that sequence (ADR 0003, "Rows in index order").
/// </summary>
internal sealed class CoreWorld
{
    public const int StaffPerVenue = 5; // manager, box office, three scanners
    public const int AdminCount = 3;
    public const int MaxTicketsPerOrder = 16;

    public CoreWorld(SeedContext ctx, SeedScale scale)
    {
        Ctx = ctx;
        var large = scale == SeedScale.Large;
        var venueCounts = large ? new[] { 40, 35, 25 } : [5, 2, 1];
        EventsPerVenue = large ? 20 : 6;
        OrderCount = large ? 1_000_000 : 10_000;
        var customers = large ? 100_000 : 2_500;

        string[][] tenantNames =
        [
            ["TicketToken Demo", "tickettoken-demo"],
            ["Harborline Live", "harborline-live"],
            ["Summit Stages", "summit-stages"],
        ];
        var totalVenues = venueCounts.Sum();
        VenueCount = totalVenues;
        CustomerBase = AdminCount + (totalVenues * StaffPerVenue);
        var customerStart = CustomerBase;
        var venueIndex = 0;
        for (var t = 0; t < tenantNames.Length; t++)
        {
            var share = t == tenantNames.Length - 1
                ? customers - (customerStart - CustomerBase)
                : customers * venueCounts[t] / totalVenues;
            Tenants.Add(new TenantDim(ctx.Ids.Id("tenants", t), tenantNames[t][0], tenantNames[t][1], customerStart, share));
            customerStart += share;
            for (var v = 0; v < venueCounts[t]; v++)
            {
                Venues.Add(MakeVenue(venueIndex++, t));
            }
        }

        UserCount = customerStart;

        for (var c = 0; c < Categories.Length; c++)
        {
            CategoryIds.Add(ctx.Ids.Id("event_categories", c));
        }

        foreach (var venue in Venues)
        {
            for (var e = 0; e < EventsPerVenue; e++)
            {
                Events.Add(MakeEvent(Events.Count, venue, e));
            }
        }

        SellableEvents = Events.Where(e => e.Sellable).ToArray();
        for (var t = 0; t < Tenants.Count; t++)
        {
            for (var d = 0; d < DiscountTemplates.Length; d++)
            {
                Discounts.Add(new DiscountDim(ctx.Ids.Id("discounts", (t * 100) + d), t, DiscountTemplates[d].Code, DiscountTemplates[d].Percent, DiscountTemplates[d].FixedCents));
            }
        }

        (_sequence, _position) = PlanOrders();
    }

    public SeedContext Ctx { get; }

    public int EventsPerVenue { get; }

    public long OrderCount { get; }

    public int VenueCount { get; }

    public int CustomerBase { get; }

    public int UserCount { get; }

    public List<TenantDim> Tenants { get; } = [];

    public List<VenueDim> Venues { get; } = [];

    public List<EventDim> Events { get; } = [];

    public EventDim[] SellableEvents { get; }

    public List<TicketTypeDim> TicketTypes { get; } = [];

    public List<DiscountDim> Discounts { get; } = [];

    public List<Guid> CategoryIds { get; } = [];

    public static readonly string[] Categories = ["Concerts", "Sports", "Comedy", "Theater", "Festivals", "Family", "Conferences", "Nightlife"];

    private static readonly (string Code, int Percent, int FixedCents)[] DiscountTemplates =
    [
        ("WELCOME10", 10, 0), ("SPRING15", 15, 0), ("FAN5", 0, 500), ("VIP20", 20, 0), ("EARLYBIRD", 12, 0), ("GROUP10", 0, 1000),
    ];

    private static readonly string[] VenueWords = ["Riverside", "Grand", "Union", "Harbor", "Cedar", "Lakeside", "Summit", "Old Mill", "Foundry", "Aurora", "Crescent", "Liberty"];

    private static readonly string[] VenueKinds = ["Ballroom", "Amphitheater", "Arena", "Theater", "Music Hall", "Pavilion", "Stadium", "Club"];

    private static readonly (string City, string State, string Zip, string Tz, decimal Lat, decimal Lng)[] Cities =
    [
        ("Nashville", "TN", "37203", "America/Chicago", 36.1627m, -86.7816m),
        ("Austin", "TX", "78701", "America/Chicago", 30.2672m, -97.7431m),
        ("Denver", "CO", "80202", "America/Denver", 39.7392m, -104.9903m),
        ("Chicago", "IL", "60601", "America/Chicago", 41.8781m, -87.6298m),
        ("Portland", "OR", "97204", "America/Los_Angeles", 45.5152m, -122.6784m),
        ("Brooklyn", "NY", "11201", "America/New_York", 40.6782m, -73.9442m),
        ("Atlanta", "GA", "30303", "America/New_York", 33.7490m, -84.3880m),
        ("Seattle", "WA", "98101", "America/Los_Angeles", 47.6062m, -122.3321m),
    ];

    private static readonly string[] Acts =
    [
        "The Midnight Owls", "Velvet Static", "Neon Harbor", "Luna Rivers", "The Copper Kings", "Echo Valley", "Sable & Stone",
        "Paper Lanterns", "The Wild Prairie", "Glass Atlas", "Northern Lights Orchestra", "DJ Meridian", "Comedy Night with Sam Ortiz",
        "Hamlet Reimagined", "City FC vs. River United", "Tech Forward Summit", "Jazz on the Water", "Family Magic Show",
    ];

    public Guid UserId(long userIndex) => Ctx.Ids.Id("users", userIndex);

    public static int ManagerUser(int venueIndex) => AdminCount + (venueIndex * StaffPerVenue);

    public static int ScannerUser(int venueIndex, int k) => AdminCount + (venueIndex * StaffPerVenue) + 2 + (k % 3);

    private VenueDim MakeVenue(int index, int tenant)
    {
        var rng = Rng.For(Ctx.Seed, "venue", index);
        var city = Cities[index % Cities.Length];
        var kind = VenueKinds[rng.Next(VenueKinds.Length)];
        var name = $"The {VenueWords[index % VenueWords.Length]} {kind}" + (index >= VenueWords.Length ? $" {city.City}" : string.Empty);
        var capacity = kind switch { "Stadium" => 40000, "Arena" => 18000, "Amphitheater" => 9000, "Pavilion" => 5000, "Theater" => 2400, _ => 1200 };
        var slug = (name.ToLowerInvariant().Replace("the ", string.Empty, StringComparison.Ordinal).Replace(' ', '-') + "-" + index.ToString(CultureInfo.InvariantCulture)).Replace("&", "and", StringComparison.Ordinal);
        return new VenueDim(index, Ctx.Ids.Id("venues", index), tenant, name, "tt-demo-" + slug, kind, capacity, city.City, city.State, city.Zip, city.Tz, city.Lat, city.Lng, 5m);
    }

    private EventDim MakeEvent(int index, VenueDim venue, int ordinal)
    {
        var rng = Rng.For(Ctx.Seed, "event", index);
        // Ordinal 0 is a draft far in the future; the rest spread from 150 days before the anchor to 120 after.
        var offsetDays = ordinal == 0 ? 200 + rng.Next(60) : -150 + (int)((270.0 * ordinal / EventsPerVenue) + rng.Next(10));
        var start = Ctx.Anchor.Date.AddDays(offsetDays).AddHours(19 + rng.Next(3)).AddMinutes(rng.Next(2) * 30);
        var past = start < Ctx.Anchor;
        var status = ordinal == 0 ? "DRAFT" : past ? "COMPLETED" : "ON_SALE";
        var act = Acts[(index + rng.Next(Acts.Length)) % Acts.Length];
        var name = $"{act} — {start.ToString("MMM d", CultureInfo.InvariantCulture)}";
        var salesStart = start.AddDays(-75);
        if (salesStart > Ctx.Anchor.AddDays(-14) && ordinal != 0)
        {
            salesStart = Ctx.Anchor.AddDays(-14 - rng.Next(20));
        }

        var ev = new EventDim(index, Ctx.Ids.Id("events", index), venue, name, $"{Slug(act)}-{index}", start, start.AddHours(3), salesStart, status, past, ordinal != 0,
            CategoryIds[rng.Next(CategoryIds.Count)], Ctx.Ids.Id("event_schedules", index), TicketTypes.Count);
        var basePrice = venue.Kind switch { "Stadium" => 6500, "Arena" => 5500, "Theater" => 4500, _ => 3500 } + (rng.Next(8) * 500);
        (string Name, string Code, double Mult, bool Seated)[] tiers = [("General Admission", "GA", 1.0, false), ("Reserved Seating", "RES", 1.6, true), ("VIP Experience", "VIP", 3.2, true)];
        for (var k = 0; k < tiers.Length; k++)
        {
            var tt = tiers[k];
            var cents = (long)(Math.Round(basePrice * tt.Mult / 100.0) * 100) - 1; // $xx.99 prices
            TicketTypes.Add(new TicketTypeDim(TicketTypes.Count, Ctx.Ids.Id("ticket_types", (index * 8L) + k), ev, tt.Name, tt.Code, cents, tt.Seated));
        }

        return ev;
    }

    private static string Slug(string s)
    {
        var chars = s.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray();
        return string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
    }

    // ---- the order stream ----

    // The order written at each position, and the position of each order. Orders go out by tenant, then event (both in
    // PostgreSQL's uuid order), newest first; tickets and every other row written per order follow them. So the bulk
    // tables reach their index builds nearly sorted for the keys that lead with a tenant or an event, and, with ids
    // (OrderRowId, TicketRowId) and numbers ascending in the same sequence, presorted for their ids and the keys made
    // from them (order numbers, idempotency keys, payment intents, QR codes). ADR 0003, "Rows in index order".
    private readonly int[] _sequence;
    private readonly int[] _position;

    // Set by PlanTickets: the position of each order's first ticket among all tickets, and how many there are.
    private long[]? _ticketStart;
    private long _ticketCount;

    /// <summary>The index of the order written at <paramref name="position"/> (orders are written in positions 0, 1, 2, ...).</summary>
    public long OrderAt(long position) => _sequence[position];

    /// <summary>
    /// Numbers the tickets in the order they are written (each paid order's, at its position); their ids and ticket
    /// numbers follow (<see cref="DescribeTicket"/>). <paramref name="byPosition"/>: every order's facts, by position.
    /// </summary>
    public void PlanTickets(ReadOnlySpan<OrderFacts> byPosition)
    {
        var start = new long[byPosition.Length];
        long tickets = 0;
        for (var p = 0; p < byPosition.Length; p++)
        {
            start[p] = tickets;
            if (byPosition[p].Paid)
            {
                tickets += byPosition[p].TicketCount;
            }
        }

        _ticketStart = start;
        _ticketCount = tickets;
    }

    /// <summary>
    /// The id of row <paramref name="k"/> (of at most <paramref name="perOrder"/>) that <paramref name="stream"/>
    /// writes for order <paramref name="o"/>: ascending in the order the rows are written.
    /// </summary>
    public Guid OrderRowId(string stream, in OrderFacts o, int k = 0, int perOrder = 1) =>
        Ctx.Ids.Ascending(stream, ((long)o.Position * perOrder) + k, OrderCount * perOrder);

    /// <summary>
    /// The id of row <paramref name="k"/> (of at most <paramref name="perTicket"/>) that <paramref name="stream"/>
    /// writes for ticket <paramref name="t"/>: ascending in the order the rows are written.
    /// </summary>
    public Guid TicketRowId(string stream, in TicketFacts t, int k = 0, int perTicket = 1) =>
        Ctx.Ids.Ascending(stream, (t.Number * perTicket) + k, _ticketCount * perTicket);

    private long[] TicketStart => _ticketStart ?? throw new InvalidOperationException("The tickets have not been planned yet.");

    private (int[] Sequence, int[] Position) PlanOrders()
    {
        if (OrderCount > int.MaxValue)
        {
            throw new InvalidOperationException("Too many orders to plan.");
        }

        var rank = new int[Events.Count];
        var ordered = SellableEvents.OrderBy(e => Tenants[e.Venue.Tenant].Id).ThenBy(e => e.Id).ToArray();
        for (var r = 0; r < ordered.Length; r++)
        {
            rank[ordered[r].Index] = r;
        }

        var keys = new OrderKey[OrderCount];
        for (var i = 0; i < keys.Length; i++)
        {
            var rng = Rng.For(Ctx.Seed, "order", i);
            var ev = Head(ref rng, out _, out var created);
            keys[i] = new OrderKey(rank[ev.Index], created.Ticks, i);
        }

        Array.Sort(keys);
        var sequence = new int[keys.Length];
        var position = new int[keys.Length];
        for (var p = 0; p < keys.Length; p++)
        {
            sequence[p] = keys[p].Index;
            position[keys[p].Index] = p;
        }

        return (sequence, position);
    }

    /// <summary>The first draws of an order: its event, customer and creation time (the plan sorts by them too).</summary>
    private EventDim Head(ref Rng rng, out long user, out DateTime createdAt)
    {
        var ev = SellableEvents[rng.Next(SellableEvents.Length)];
        var tenant = Tenants[ev.Venue.Tenant];
        user = tenant.CustomerStart + rng.Next(tenant.CustomerCount);
        var latest = ev.Past ? ev.Start.AddHours(-2) : Ctx.Anchor.AddHours(-1);
        var span = Math.Max(1, (long)(latest - ev.SalesStart).TotalMinutes);
        // Sales ramp up towards the show: square the uniform draw towards the end.
        var u = rng.NextDouble();
        createdAt = ev.SalesStart.AddMinutes((long)(span * Math.Sqrt(u)));
        return ev;
    }

    /// <summary>Event rank (tenant, then event), newest first, then the order's index: a total order.</summary>
    private readonly record struct OrderKey(int EventRank, long CreatedTicks, int Index) : IComparable<OrderKey>
    {
        public int CompareTo(OrderKey other) =>
            EventRank != other.EventRank ? EventRank.CompareTo(other.EventRank)
            : CreatedTicks != other.CreatedTicks ? other.CreatedTicks.CompareTo(CreatedTicks)
            : Index.CompareTo(other.Index);
    }

    /// <summary>Everything about order <paramref name="i"/>, recomputed from the seed.</summary>
    public void Describe(long i, ref OrderFacts o)
    {
        var rng = Rng.For(Ctx.Seed, "order", i);
        o.Index = i;
        o.Position = _position[i];
        o.Id = OrderRowId("orders", o);
        var ev = Head(ref rng, out o.UserIndex, out o.CreatedAt);
        o.Event = ev;

        o.LineCount = rng.Chance(0.35) ? 2 : 1;
        var first = rng.Next(3);
        o.Line0 = new OrderLine(TicketTypes[ev.FirstTicketType + first], 1 + rng.Next(4));
        o.Line1 = o.LineCount == 2 ? new OrderLine(TicketTypes[ev.FirstTicketType + ((first + 1 + rng.Next(2)) % 3)], 1 + rng.Next(3)) : default;
        o.TicketCount = o.Line0.Quantity + (o.LineCount == 2 ? o.Line1.Quantity : 0);
        o.Subtotal = (o.Line0.Type.PriceCents * o.Line0.Quantity) + (o.LineCount == 2 ? o.Line1.Type.PriceCents * o.Line1.Quantity : 0);

        o.Discount = null;
        o.DiscountCents = 0;
        if (rng.Chance(0.12))
        {
            var d = Discounts[(ev.Venue.Tenant * DiscountTemplates.Length) + rng.Next(DiscountTemplates.Length)];
            o.Discount = d;
            o.DiscountCents = d.Percent > 0 ? ((o.Subtotal * d.Percent) + 50) / 100 : Math.Min(d.FixedCents, o.Subtotal / 2);
        }

        var net = o.Subtotal - o.DiscountCents;
        o.PlatformFee = ((net * 5) + 50) / 100;            // 5 % platform fee
        o.ProcessingFee = (((net + o.PlatformFee) * 29) + 500) / 1000 + 30; // 2.9 % + 30 ¢
        o.Tax = ((net * 7) + 50) / 100;                   // 7 % sales tax on the net ticket price
        o.Total = net + o.PlatformFee + o.ProcessingFee + o.Tax;

        var roll = rng.NextDouble();
        o.Refund = RefundKind.None;
        o.Chargeback = false;
        if (ev.Past)
        {
            o.Status = roll < 0.88 ? "COMPLETED" : roll < 0.92 ? "REFUNDED" : roll < 0.96 ? "CANCELLED" : "EXPIRED";
        }
        else
        {
            o.Status = roll < 0.82 ? "CONFIRMED" : roll < 0.85 ? "REFUNDED" : roll < 0.89 ? "CANCELLED" : roll < 0.93 ? "EXPIRED" : roll < 0.97 ? "PENDING" : "RESERVED";
        }

        o.Paid = o.Status is "COMPLETED" or "CONFIRMED" or "REFUNDED";
        if (o.Status == "REFUNDED")
        {
            o.Refund = RefundKind.Full;
            o.RefundCents = o.Total;
        }
        else if (o.Paid && rng.Chance(0.025))
        {
            o.Refund = RefundKind.Partial;
            o.RefundCents = Math.Min(o.Line0.Type.PriceCents, o.Total / 2);
        }
        else
        {
            o.RefundCents = 0;
        }

        if (o.Paid && o.Refund == RefundKind.None && rng.Chance(0.004))
        {
            o.Chargeback = true;
        }

        o.PaidAt = o.CreatedAt.AddMinutes(2 + rng.Next(10));
        o.RefundedAt = o.Refund == RefundKind.None ? default : o.PaidAt.AddDays(1 + rng.Next(10));
        if (o.RefundedAt > Ctx.Anchor)
        {
            o.RefundedAt = Ctx.Anchor.AddHours(-1 - rng.Next(48));
        }

        if (o.RefundedAt != default && o.RefundedAt < o.PaidAt)
        {
            o.RefundedAt = o.PaidAt.AddMinutes(30);
        }

        o.FraudScore = rng.Next(100);
    }

    /// <summary>Facts about the k-th ticket of a paid order (after <see cref="PlanTickets"/>).</summary>
    public void DescribeTicket(in OrderFacts o, int k, ref TicketFacts t)
    {
        var global = (o.Index * MaxTicketsPerOrder) + k;
        var rng = Rng.For(Ctx.Seed, "ticket", global);
        t.Global = global;
        t.Number = TicketStart[o.Position] + k;
        t.Id = TicketRowId("tickets", t);
        t.Type = k < o.Line0.Quantity ? o.Line0.Type : o.Line1.Type;
        t.Owner = o.UserIndex;
        t.TransferredTo = -1;
        t.Listing = ListingKind.None;
        t.Scanned = false;
        t.IsNft = rng.Chance(0.3);
        var refunded = o.Refund == RefundKind.Full || (o.Refund == RefundKind.Partial && k == 0);
        if (refunded)
        {
            t.Status = "refunded";
            return;
        }

        if (o.Event.Past)
        {
            t.Scanned = rng.Chance(0.86);
            t.Status = t.Scanned ? "used" : "expired";
            t.ScannedAt = o.Event.Start.AddMinutes(-60 + rng.Next(120));
            t.DuplicateScan = t.Scanned && rng.Chance(0.02);
            return;
        }

        t.Status = "active";
        if (rng.Chance(0.03))
        {
            var r = rng.NextDouble();
            t.Listing = r < 0.5 ? ListingKind.Sold : r < 0.53 ? ListingKind.SoldFailed : r < 0.88 ? ListingKind.Active : r < 0.96 ? ListingKind.Cancelled : ListingKind.Expired;
            t.ListedAt = o.PaidAt.AddHours(1 + rng.Next(24 * 10));
            if (t.ListedAt > Ctx.Anchor)
            {
                t.ListedAt = Ctx.Anchor.AddHours(-2);
            }

            t.ListPriceCents = t.Type.PriceCents * (100 + rng.Next(60)) / 100;
            if (t.Listing is ListingKind.Sold or ListingKind.SoldFailed)
            {
                var tenant = Tenants[o.Event.Venue.Tenant];
                var buyer = tenant.CustomerStart + rng.Next(tenant.CustomerCount);
                if (buyer == o.UserIndex)
                {
                    buyer = tenant.CustomerStart + ((buyer - tenant.CustomerStart + 1) % tenant.CustomerCount);
                }

                t.TransferredTo = buyer;
                t.SoldAt = t.ListedAt.AddMinutes(30 + rng.Next(60 * 24));
                if (t.SoldAt > Ctx.Anchor)
                {
                    t.SoldAt = Ctx.Anchor.AddMinutes(-30);
                }

                if (t.Listing == ListingKind.Sold)
                {
                    t.Owner = buyer;
                }
            }
        }
    }
}

internal enum RefundKind
{
    None,
    Partial,
    Full,
}

internal enum ListingKind
{
    None,
    Active,
    Sold,
    SoldFailed,
    Cancelled,
    Expired,
}

internal sealed record TenantDim(Guid Id, string Name, string Slug, int CustomerStart, int CustomerCount);

internal sealed record VenueDim(int Index, Guid Id, int Tenant, string Name, string Slug, string Kind, int Capacity, string City, string State, string Zip, string Timezone, decimal Lat, decimal Lng, decimal RoyaltyPercent);

internal sealed record EventDim(int Index, Guid Id, VenueDim Venue, string Name, string Slug, DateTime Start, DateTime End, DateTime SalesStart, string Status, bool Past, bool Sellable, Guid CategoryId, Guid ScheduleId, int FirstTicketType);

internal sealed record TicketTypeDim(int Index, Guid Id, EventDim Event, string Name, string Code, long PriceCents, bool Seated)
{
    public long Sold { get; set; }
}

internal sealed record DiscountDim(Guid Id, int Tenant, string Code, int Percent, int FixedCents)
{
    public long TimesUsed { get; set; }
}

internal readonly record struct OrderLine(TicketTypeDim Type, int Quantity);

internal struct OrderFacts
{
    /// <summary>Which order: everything random about it is drawn from (seed, index).</summary>
    public long Index;

    /// <summary>Where it is written (<see cref="CoreWorld.OrderAt"/>): its id and order number follow this.</summary>
    public int Position;

    public Guid Id;
    public EventDim Event;
    public long UserIndex;
    public DateTime CreatedAt;
    public DateTime PaidAt;
    public DateTime RefundedAt;
    public int LineCount;
    public OrderLine Line0;
    public OrderLine Line1;
    public int TicketCount;
    public long Subtotal;
    public DiscountDim? Discount;
    public long DiscountCents;
    public long PlatformFee;
    public long ProcessingFee;
    public long Tax;
    public long Total;
    public string Status;
    public bool Paid;
    public RefundKind Refund;
    public long RefundCents;
    public bool Chargeback;
    public int FraudScore;

    public readonly long VenuePayout => Subtotal - DiscountCents;
}

internal struct TicketFacts
{
    /// <summary>Which ticket: everything random about it is drawn from (seed, global index).</summary>
    public long Global;

    /// <summary>Where the ticket is written among all tickets: its id and ticket number follow this.</summary>
    public long Number;

    public Guid Id;
    public TicketTypeDim Type;
    public string Status;
    public long Owner;
    public long TransferredTo;
    public bool IsNft;
    public bool Scanned;
    public bool DuplicateScan;
    public DateTime ScannedAt;
    public ListingKind Listing;
    public DateTime ListedAt;
    public DateTime SoldAt;
    public long ListPriceCents;
}
