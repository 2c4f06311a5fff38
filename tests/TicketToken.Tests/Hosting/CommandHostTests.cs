using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Json;
using TicketToken.Portal.Cli;

namespace TicketToken.Tests.Hosting;

/// <summary>The host the <c>db</c> commands run in.</summary>
public sealed class CommandHostTests
{
    [Fact]
    public void Commands_watch_no_configuration_file()
    {
        // A plain builder reloads appsettings.json on change (a recursive watcher over the content root) ...
        var plain = WebApplication.CreateBuilder();
        using var plainConfiguration = plain.Configuration; // disposing it stops the watcher it started
        Assert.Contains(plain.Configuration.Sources.OfType<JsonConfigurationSource>(), s => s.ReloadOnChange);

        // ... a command's does not: run from the repository root, it would watch the local PostgreSQL's data directory.
        var command = DatabaseCommands.CreateCommandBuilder(["--scale", "large", "--Database:AppRole=x"]);
        using var commandConfiguration = command.Configuration;
        var json = command.Configuration.Sources.OfType<JsonConfigurationSource>().ToList();
        Assert.NotEmpty(json);
        Assert.All(json, s => Assert.False(s.ReloadOnChange, $"{s.Path} is reloaded on change"));
        Assert.Equal("x", command.Configuration["Database:AppRole"]);
        Assert.Equal("false", command.Configuration["Jobs:RunInProcess"]);
    }
}
