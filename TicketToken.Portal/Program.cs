using TicketToken.Data.Infrastructure;
using TicketToken.Portal.Cli;
using TicketToken.Portal.Hosting;

if (DatabaseCommands.Handles(args))
{
    return await DatabaseCommands.RunAsync(args);
}

WebApplication app;
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddTicketTokenPortal();
    app = builder.Build();
    if (ListenAddressCheck.FindAddressInUse(app.Configuration) is { } inUse)
    {
        return await AddressInUseAsync($"{inUse} is already in use.");
    }

    await app.UseTicketTokenPortalAsync();
}
catch (Exception refused) when (refused is StartupRefusedException or MissingConfigurationException)
{
    await Console.Error.WriteLineAsync($"The portal refuses to start: {refused.Message}");
    return 1;
}

try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    return await AddressInUseAsync(e.Message);
}

return 0;

// One line, the same whether the check before startup or Kestrel's own bind found the address taken.
static async Task<int> AddressInUseAsync(string what)
{
    await Console.Error.WriteLineAsync($"The portal could not start: {what} Stop what uses it, or choose another address (--urls).");
    return 1;
}

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
