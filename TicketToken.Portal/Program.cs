using TicketToken.Portal.Cli;
using TicketToken.Portal.Hosting;

if (DatabaseCommands.Handles(args))
{
    return await DatabaseCommands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddTicketTokenPortal();

var app = builder.Build();
try
{
    await app.UseTicketTokenPortalAsync();
}
catch (StartupRefusedException refused)
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
    await Console.Error.WriteLineAsync($"The portal could not start: {e.Message} Stop what uses it, or choose another address (--urls).");
    return 1;
}

return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
