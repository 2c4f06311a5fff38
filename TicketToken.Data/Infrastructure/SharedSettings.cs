using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Hosting;

namespace TicketToken.Data.Infrastructure;

public static class SharedSettings
{
    public const string FileName = "appsettings.Development.json";

    /// <summary>
    /// In Development, reads the repository's root <c>appsettings.Development.json</c> (shared by the portal and the jobs host)
    /// right after the project's own appsettings files, so environment variables and the command line still win.
    /// </summary>
    public static IConfigurationManager AddSharedDevelopmentSettings(this IConfigurationManager configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsDevelopment())
        {
            return configuration;
        }

        var path = FindUpwards(environment.ContentRootPath, FileName) ?? FindUpwards(AppContext.BaseDirectory, FileName);
        if (path is null)
        {
            return configuration;
        }

        var sources = configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }

        var source = new JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        sources.Insert(lastJson + 1, source);
        return configuration;
    }

    private static string? FindUpwards(string start, string fileName)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, fileName);
            // The repository root holds the solution file next to the shared settings.
            if (System.IO.File.Exists(candidate) && System.IO.File.Exists(Path.Combine(dir.FullName, "TicketToken.sln")))
            {
                return candidate;
            }
        }

        return null;
    }
}
