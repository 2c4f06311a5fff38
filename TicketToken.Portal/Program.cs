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

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
