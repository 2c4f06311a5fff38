using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using TicketToken.Portal.Hosting;

namespace TicketToken.Tests.Hosting;

public sealed class ListenAddressCheckTests
{
    [Fact]
    public void A_free_address_passes()
    {
        var port = FreePort();

        Assert.Null(ListenAddressCheck.FindAddressInUse(Urls($"http://127.0.0.1:{port}")));
    }

    [Fact]
    public void The_first_address_in_use_is_named()
    {
        using var other = Listen(IPAddress.Loopback, out var port);
        var free = FreePort();
        var busy = $"http://127.0.0.1:{port}";

        Assert.Equal(busy, ListenAddressCheck.FindAddressInUse(Urls($"http://127.0.0.1:{free};{busy}")));
    }

    [Fact]
    public void Localhost_is_in_use_when_its_IPv4_loopback_is()
    {
        using var other = Listen(IPAddress.Loopback, out var port);

        Assert.Equal($"http://localhost:{port}", ListenAddressCheck.FindAddressInUse(Urls($"http://localhost:{port}")));
    }

    [Fact]
    public void Every_interface_is_in_use_when_one_of_them_is()
    {
        using var other = Listen(IPAddress.Loopback, out var port);

        Assert.Equal($"http://*:{port}", ListenAddressCheck.FindAddressInUse(Urls($"http://*:{port}")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("not a url")]
    public void Nothing_to_try_passes(string? urls)
    {
        Assert.Null(ListenAddressCheck.FindAddressInUse(Urls(urls)));
    }

    [Fact]
    public void Kestrels_own_endpoints_are_left_to_Kestrel()
    {
        using var other = Listen(IPAddress.Loopback, out var port);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
        [
            new KeyValuePair<string, string?>("urls", $"http://127.0.0.1:{port}"),
            new KeyValuePair<string, string?>("Kestrel:Endpoints:Http:Url", $"http://127.0.0.1:{FreePort()}"),
        ]).Build();

        Assert.Null(ListenAddressCheck.FindAddressInUse(configuration));
    }

    [Fact]
    public void The_check_leaves_the_address_free()
    {
        var port = FreePort();
        Assert.Null(ListenAddressCheck.FindAddressInUse(Urls($"http://127.0.0.1:{port}")));

        using var after = new TcpListener(IPAddress.Loopback, port);
        after.Start(); // throws if the check had kept the port
    }

    private static IConfiguration Urls(string? urls) =>
        new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>("urls", urls)]).Build();

    private static TcpListener Listen(IPAddress address, out int port)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    private static int FreePort()
    {
        using var probe = Listen(IPAddress.Loopback, out var port);
        return port;
    }
}
