using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TicketToken.Portal.Cli;

namespace TicketToken.Tests.Hosting;

/// <summary>
/// The entry points as an operator runs them, in processes of their own, started wrongly (no connection string, an
/// address in use): each says what is wrong in one line and exits with an error code, with no stack trace.
/// </summary>
public sealed class EntryPointFailureTests
{
    private const string Missing = "ConnectionStrings:TicketToken is not set.";

    [Fact]
    public async Task The_portal_refuses_to_start_in_one_line()
    {
        var run = await RunAsync("TicketToken.Portal.dll", "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"The portal refuses to start: {Missing}", run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task A_db_command_names_the_missing_setting_and_exits_with_a_configuration_error()
    {
        var run = await RunAsync("TicketToken.Portal.dll", "db", "check");

        Assert.Equal(DatabaseCommands.ConfigurationError, run.ExitCode);
        Assert.StartsWith(Missing, run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task A_job_worker_refuses_to_start_in_one_line()
    {
        var run = await RunAsync("TicketToken.Jobs.dll");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"The job worker refuses to start: {Missing}", run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task The_portal_names_an_address_in_use_before_doing_any_work()
    {
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)other.LocalEndpoint).Port}";

        // The connection string is never used: the address is tried first.
        var run = await RunAsync("TicketToken.Portal.dll", "--urls", url, "--ConnectionStrings:TicketToken=Host=127.0.0.1;Port=1;Database=none");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"The portal could not start: {url} is already in use.", run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    private static void AssertNoStackTrace(ProcessRun run)
    {
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("   at ", run.Error + run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error + run.Output, StringComparison.Ordinal);
    }

    private sealed record ProcessRun(int ExitCode, string Output, string Error);

    /// <summary>Runs an entry point of the build output with <c>dotnet exec</c>, in an empty directory, with no connection string anywhere in its environment.</summary>
    private static async Task<ProcessRun> RunAsync(string assembly, params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("tt-missing-settings-");
        try
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                WorkingDirectory = directory.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";

            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{assembly} {string.Join(' ', args)} did not exit within 60 s.");
            }

            return new ProcessRun(process.ExitCode, await output, await error);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
