using Microsoft.Extensions.Configuration;

namespace Mcp.Cluster.Hosting;

/// <summary>
/// Command-line switches shared by the silo and the gateway. Added after the <c>MCP_</c> environment variables so a
/// switch wins over the environment (a script can start instance 1, 2, 3 from one environment).
/// </summary>
public static class McpCommandLine
{
    private static readonly Dictionary<string, string> Switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--instance"] = "Cluster:Instance",
        ["--mode"] = "Cluster:Mode",
    };

    /// <summary>
    /// Adds the <c>MCP_</c> environment variables and the command line, then makes every configured file-system path
    /// absolute against <paramref name="contentRoot"/>, once, so no component ever resolves a relative path against
    /// whatever the working directory happens to be.
    /// </summary>
    public static IConfigurationManager AddMcpSettings(this IConfigurationManager configuration, string[] args, string contentRoot)
    {
        configuration.AddEnvironmentVariables("MCP_").AddCommandLine(args, Switches);
        configuration.AddInMemoryCollection(ConfiguredPaths.Resolve(configuration, contentRoot));
        return configuration;
    }
}
