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

    public static IConfigurationBuilder AddMcpSettings(this IConfigurationBuilder configuration, string[] args) =>
        configuration.AddEnvironmentVariables("MCP_").AddCommandLine(args, Switches);
}
