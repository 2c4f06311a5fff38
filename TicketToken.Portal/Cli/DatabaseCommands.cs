using System.Globalization;
using Microsoft.EntityFrameworkCore;
using TicketToken.Data;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Data.Seeding;
using TicketToken.Portal.Hosting;
using TicketToken.Portal.Security;

namespace TicketToken.Portal.Cli;

/// <summary>
/// Operator commands on the portal host: <c>db migrate</c>, <c>db seed --scale demo|large [--seed N] [--anchor yyyy-mm-dd|today]</c>, <c>db check</c>,
/// and <c>totp [secret]</c> (the current code of the demo accounts' authenticator, Development only).
/// Connection: <c>ConnectionStrings:TicketTokenAdmin</c> when set (the schema owner), else <c>ConnectionStrings:TicketToken</c>;
/// <c>db seed</c> prefers <c>ConnectionStrings:TicketTokenSeed</c> (a superuser on a private cluster: bulk loading).
/// </summary>
public static class DatabaseCommands
{
    /// <summary>Exit code when a setting the command needs is missing (<c>EX_CONFIG</c> of sysexits.h).</summary>
    internal const int ConfigurationError = 78;

    public static bool Handles(string[] args) =>
        args.Length > 0 && (args[0] == "db" || args[0] == "totp");

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args[0] == "totp")
        {
            var secret = args.Length > 1 ? args[1] : DemoAccounts.TotpSecret;
            Console.WriteLine(Totp.Compute(secret, DateTimeOffset.UtcNow));
            return 0;
        }

        var command = args.Length > 1 ? args[1] : "";
        var rest = args.Skip(2).ToArray();
        WebApplication app;
        try
        {
            var builder = CreateCommandBuilder(rest);
            builder.AddTicketTokenPortal();
            app = builder.Build();
        }
        catch (MissingConfigurationException missing)
        {
            // Building the host reads every setting the commands need (AddTicketTokenData wants the connection string).
            await Console.Error.WriteLineAsync(missing.Message);
            return ConfigurationError;
        }

        await using (app)
        {
            return await RunCommandAsync(app, command, rest);
        }
    }

    private static async Task<int> RunCommandAsync(WebApplication app, string command, string[] rest)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        try
        {
            return command switch
            {
                "migrate" => await MigrateAsync(app, cts.Token),
                "seed" => await SeedAsync(app, rest, cts.Token),
                "check" => await CheckAsync(app, cts.Token),
                _ => Usage($"Unknown command 'db {command}'."),
            };
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return 130;
        }
        catch (Npgsql.NpgsqlException ex)
        {
            await Console.Error.WriteLineAsync($"Database error: {ex.Message}");
            return 2;
        }
    }

    private static async Task<int> MigrateAsync(WebApplication app, CancellationToken ct)
    {
        var config = app.Configuration;
        var lines = await DatabaseMigrator.MigrateAsync(
            config.GetTicketTokenAdminConnectionString(), PlatformDatabaseMode.IsExisting(config), config["Database:AppRole"], config["Database:StaffReadRole"], ct);
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private static async Task<int> SeedAsync(WebApplication app, string[] args, CancellationToken ct)
    {
        var scale = Option(args, "--scale") ?? "demo";
        if (scale is not ("demo" or "large"))
        {
            return Usage($"--scale must be 'demo' or 'large', not '{scale}'.");
        }

        var seedText = Option(args, "--seed") ?? "42";
        if (!int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
        {
            return Usage($"--seed must be a whole number, not '{seedText}'.");
        }

        if (!TryParseAnchor(Option(args, "--anchor"), app.Services.GetRequiredService<TimeProvider>(), out var anchor, out var anchorError))
        {
            return Usage(anchorError);
        }

        var options = new SeedOptions(scale == "large" ? SeedScale.Large : SeedScale.Demo, seed);
        if (anchor is { } day)
        {
            options = options with { AnchorUtc = day };
        }

        await using var scope = app.Services.CreateAsyncScope();
        var seeder = ActivatorUtilities.CreateInstance<PortalSeeder>(scope.ServiceProvider);
        // A superuser seeds fastest (bulk mode: triggers off, COPY FREEZE); the schema owner works too, more slowly.
        var seedConnection = app.Configuration.GetConnectionString("TicketTokenSeed") is { Length: > 0 } s ? s : app.Configuration.GetTicketTokenAdminConnectionString();
        var result = await seeder.SeedAsync(seedConnection, options, ct, showProgress: !Console.IsOutputRedirected);
        foreach (var line in result)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private static async Task<int> CheckAsync(WebApplication app, CancellationToken ct)
    {
        var problems = new List<string>();
        await using var scope = app.Services.CreateAsyncScope();
        var portalFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var portal = await portalFactory.CreateDbContextAsync(ct);
        if (!await portal.Database.CanConnectAsync(ct))
        {
            await Console.Error.WriteLineAsync("The database does not answer: check ConnectionStrings:TicketToken.");
            return 1;
        }

        var pendingPortal = (await portal.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pendingPortal.Count > 0)
        {
            problems.Add($"portal schema: {pendingPortal.Count} migration(s) not applied ({string.Join(", ", pendingPortal)})");
        }

        var platformFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var platform = await platformFactory.CreateDbContextAsync(ct);
        if (!PlatformDatabaseMode.IsExisting(app.Configuration))
        {
            var pending = (await platform.Database.GetPendingMigrationsAsync(ct)).ToList();
            if (pending.Count > 0)
            {
                problems.Add($"platform schema: {pending.Count} migration(s) not applied");
            }
        }

        problems.AddRange(await PlatformSchemaCheck.FindProblemsAsync(platform, ct));

        if (problems.Count == 0)
        {
            Console.WriteLine("db check: the database matches what the portal needs.");
            return 0;
        }

        await Console.Error.WriteLineAsync($"db check: {problems.Count} problem(s):");
        foreach (var p in problems)
        {
            await Console.Error.WriteLineAsync($"  - {p}");
        }

        return 1;
    }

    /// <summary>
    /// <c>--anchor yyyy-mm-dd</c> (noon UTC of that day) or <c>--anchor today</c> (the current hour, UTC, so no order is
    /// dated later than the moment of seeding): the moment the demo data is dated around; events fall before and after it,
    /// orders before it. Absent: <see cref="SeedOptions.AnchorUtc"/>'s fixed day, so a seed number alone reproduces the
    /// same rows. The same seed and anchor always give the same rows.
    /// </summary>
    internal static bool TryParseAnchor(string? text, TimeProvider clock, out DateTime? anchor, out string error)
    {
        anchor = null;
        error = "";
        if (text is null)
        {
            return true;
        }

        if (string.Equals(text, "today", StringComparison.OrdinalIgnoreCase))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            anchor = DateTime.SpecifyKind(now.Date.AddHours(now.Hour), DateTimeKind.Utc);
            return true;
        }

        if (!DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            error = $"--anchor must be a date written yyyy-mm-dd, or 'today', not '{text}'.";
            return false;
        }

        if (day.Year is < 2000 or > 2100)
        {
            error = $"--anchor must be a date between 2000 and 2100, not '{text}'.";
            return false;
        }

        anchor = DateTime.SpecifyKind(day.Date.AddHours(12), DateTimeKind.Utc);
        return true;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The host a command runs in: quiet logging, no jobs, and no configuration reload.</summary>
    /// <remarks>
    /// A command has no use for reloading, and the watcher it needs covers the content root recursively. Run from the
    /// repository root, that includes the local PostgreSQL's data directory: every page the server wrote raised a file
    /// event in this process (measured during a large seed: 4.5 % of the PostgreSQL backend's CPU, 605 watches).
    /// </remarks>
    internal static WebApplicationBuilder CreateCommandBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. FilterHostArgs(args), "--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["Jobs:RunInProcess"] = "false";
        builder.Configuration["Jobs:RegisterRecurringJobs"] = "false";
        return builder;
    }

    /// <summary>Host arguments (--environment, --ConnectionStrings:X=...) pass through; command options do not.</summary>
    private static string[] FilterHostArgs(string[] args) =>
        args.Where(a => a.Contains('=', StringComparison.Ordinal) && a.StartsWith("--", StringComparison.Ordinal)).ToArray();

    private static int Usage(string error)
    {
        Console.Error.WriteLine(error);
        Console.Error.WriteLine("usage: db migrate | db seed [--scale demo|large] [--seed N] [--anchor yyyy-mm-dd|today] | db check | totp [base32-secret]");
        return 64;
    }
}
