using System.Text.Json;
using Mcp.Cluster.Tests.WireServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Bench;

/// <summary>
/// The catalog bench's upstream MCP server (official C# SDK, in the bench process): <c>tool_000</c> … tools that each
/// echo their <c>text</c>, all on one page, so the gateway federates a catalog of that size.
/// </summary>
public sealed class ManyToolsUpstream(int tools) : WireServer
{
    private static readonly JsonElement Input = JsonDocument.Parse(
        """{"type":"object","properties":{"text":{"type":"string","maxLength":1000}},"required":["text"],"additionalProperties":false}""").RootElement;

    public Uri McpEndpoint => new(BaseUri, "mcp");

    public static string ToolName(int index) => $"tool_{index:D3}";

    protected override void ConfigureServices(IServiceCollection services)
    {
        var list = new ListToolsResult
        {
            Tools = [.. Enumerable.Range(0, tools).Select(i => new Tool { Name = ToolName(i), Description = $"Echoes text ({i})", InputSchema = Input })],
        };
        services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "bench-upstream", Version = "1.0.0" })
            .WithHttpTransport()
            .WithListToolsHandler((_, _) => ValueTask.FromResult(list))
            .WithCallToolHandler((request, _) =>
            {
                var text = request.Params?.Arguments?.TryGetValue("text", out var value) == true ? value.GetString() : null;
                return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = $"{request.Params!.Name}: {text}" }] });
            });
    }

    protected override void MapRoutes(IEndpointRouteBuilder routes) => routes.MapMcp("/mcp");
}
