using Microsoft.Extensions.Configuration;

namespace Mcp.Cluster.Hosting;

/// <summary>The settings that name files or directories, made absolute against the content root.</summary>
public static class ConfiguredPaths
{
    /// <summary>
    /// Relative to the content root (the gateway/ or silo/ folder under <c>dotnet run</c>). <c>DataSources:SqliteDirectory</c>
    /// is not here: a relative one is documented to lie under the data directory, which this makes absolute.
    /// </summary>
    private static readonly string[] Keys =
    [
        "Cluster:DataDirectory",
        "Storage:Sqlite:DatabasePath",
        "Models:Secrets:KeyDirectory",
        "Models:Secrets:KeyRingCertificatePath",
        "Models:Hosting:ModelDirectory",
        "Models:Hosting:ArtifactDirectory",
    ];

    public static Dictionary<string, string?> Resolve(IConfiguration configuration, string contentRoot)
    {
        var resolved = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            // The default applies when nothing sets it; McpClusterOptions' own default is the same folder name.
            ["Cluster:DataDirectory"] = Path.GetFullPath(configuration["Cluster:DataDirectory"] ?? new McpClusterOptions().DataDirectory, contentRoot),
        };
        foreach (var key in Keys)
        {
            if (!resolved.ContainsKey(key) && configuration[key] is { Length: > 0 } value)
            {
                resolved[key] = Path.GetFullPath(value, contentRoot);
            }
        }
        return resolved;
    }
}
