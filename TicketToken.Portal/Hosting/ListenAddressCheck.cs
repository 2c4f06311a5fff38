using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace TicketToken.Portal.Hosting;

/// <summary>
/// Before the portal does any work, tries each address of the <c>urls</c> setting (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>, appsettings) the way Kestrel will bind it, so that an address in use stops the portal with
/// one line instead of the host's logged failure and stack trace. Something may still take the port in between:
/// <c>Program</c> then reports Kestrel's own failure the same way. Endpoints configured under <c>Kestrel:Endpoints</c>
/// replace these addresses and are left to Kestrel.
/// </summary>
public static class ListenAddressCheck
{
    /// <summary>The first configured address that something else listens on, or null.</summary>
    public static string? FindAddressInUse(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls) || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            return null; // no addresses, or Kestrel's own endpoints, which override them
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue; // Kestrel reports a malformed address itself
            }

            if (address.IsUnixPipe || address.IsNamedPipe || address.Port == 0)
            {
                continue;
            }

            foreach (var ip in EndpointsOf(address.Host))
            {
                if (InUse(new IPEndPoint(ip, address.Port)))
                {
                    return url;
                }
            }
        }

        return null;
    }

    /// <summary>As Kestrel binds a host: an IP as written, <c>localhost</c> on both loopbacks, anything else on every interface.</summary>
    private static IEnumerable<IPAddress> EndpointsOf(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            return [ip];
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Socket.OSSupportsIPv6 ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [IPAddress.Loopback];
        }

        return [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any];
    }

    private static bool InUse(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }

        try
        {
            socket.Bind(endpoint);
            socket.Listen();
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        catch (SocketException)
        {
            return false; // not ours to judge (no such interface, no permission): Kestrel reports it
        }
    }
}
