using System.Text.Json;

namespace Mcp.Cluster.Gateway.Hosting;

/// <summary>The gateway's JSON conventions (snake_case, enums as strings), for code that serializes outside minimal APIs.</summary>
public static class GatewayJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        GatewayHostingExtensions.ConfigureJson(options);
        return options;
    }
}
