using System.Net;

namespace TicketToken.Data.Payment;

/// <summary>
/// An <see cref="IPAddress"/> that EF Core can use as a key: EF orders key values when it batches updates, and
/// <see cref="IPAddress"/> is not comparable. Stored as <c>inet</c> through a value converter (see
/// <c>IpReputationConfiguration</c>). Hand-written; the generator uses it for <c>inet</c> key columns.
/// </summary>
public readonly record struct ComparableIPAddress(IPAddress Address) : IComparable<ComparableIPAddress>
{
    public int CompareTo(ComparableIPAddress other)
    {
        if (Address is null || other.Address is null)
        {
            return (Address is null).CompareTo(other.Address is null) * -1;
        }

        var family = Address.AddressFamily.CompareTo(other.Address.AddressFamily);
        if (family != 0)
        {
            return family;
        }

        var left = Address.GetAddressBytes();
        var right = other.Address.GetAddressBytes();
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var c = left[i].CompareTo(right[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    public override string ToString() => Address?.ToString() ?? string.Empty;

    public static ComparableIPAddress Parse(string value) => new(IPAddress.Parse(value));

    public static bool operator <(ComparableIPAddress left, ComparableIPAddress right) => left.CompareTo(right) < 0;

    public static bool operator <=(ComparableIPAddress left, ComparableIPAddress right) => left.CompareTo(right) <= 0;

    public static bool operator >(ComparableIPAddress left, ComparableIPAddress right) => left.CompareTo(right) > 0;

    public static bool operator >=(ComparableIPAddress left, ComparableIPAddress right) => left.CompareTo(right) >= 0;
}
