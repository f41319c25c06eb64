using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// An upstream MCP server for the integration (federation) tests, written with the official C# SDK: tools
/// <c>echo</c> and <c>slow_count</c> (reports progress at every step and notices cancellation), a resource
/// <c>fixture://greeting</c> and a prompt <c>greet</c>. It requires <c>Authorization: Bearer {token}</c>.
/// </summary>
public sealed class McpFixtureServer(string token) : WireServer
{
    public ConcurrentQueue<string> CancelledCalls { get; } = new();

    public Uri McpEndpoint => new(BaseUri, "mcp");

    private static readonly JsonElement EchoInput = JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""").RootElement;
    private static readonly JsonElement CountInput = JsonDocument.Parse("""{"type":"object","properties":{"steps":{"type":"integer"},"delay_ms":{"type":"integer"}},"required":["steps"]}""").RootElement;

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "fixture-upstream", Version = "1.0.0" })
            .WithHttpTransport()
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult
            {
                Tools =
                [
                    new Tool { Name = "echo", Description = "Echoes the text back", InputSchema = EchoInput },
                    new Tool { Name = "slow_count", Description = "Counts to steps, reporting progress at each", InputSchema = CountInput },
                ],
            }))
            .WithCallToolHandler(async (request, cancellationToken) =>
            {
                var arguments = request.Params!.Arguments ?? new Dictionary<string, JsonElement>();
                switch (request.Params.Name)
                {
                    case "echo":
                        var text = arguments["text"].GetString();
                        return new CallToolResult
                        {
                            Content = [new TextContentBlock { Text = $"echo: {text}" }],
                            StructuredContent = JsonSerializer.SerializeToElement(new { echo = text }),
                        };
                    case "slow_count":
                        var steps = arguments["steps"].GetInt32();
                        var delay = arguments.TryGetValue("delay_ms", out var d) ? d.GetInt32() : 50;
                        try
                        {
                            for (var i = 1; i <= steps; i++)
                            {
                                await Task.Delay(delay, cancellationToken);
                                if (request.Params.ProgressToken is { } progress)
                                {
                                    await request.Server.SendNotificationAsync(NotificationMethods.ProgressNotification, new ProgressNotificationParams
                                    {
                                        ProgressToken = progress,
                                        Progress = new ProgressNotificationValue { Progress = i, Total = steps, Message = $"step {i}" },
                                    }, cancellationToken: cancellationToken);
                                }
                            }
                        }
                        catch (OperationCanceledException)
                        {
                            CancelledCalls.Enqueue("slow_count");
                            throw;
                        }
                        return new CallToolResult { Content = [new TextContentBlock { Text = $"counted {steps}" }], StructuredContent = JsonSerializer.SerializeToElement(new { counted = steps }) };
                    default:
                        throw new McpProtocolException($"Unknown tool {request.Params.Name}", McpErrorCode.InvalidParams);
                }
            })
            .WithListResourcesHandler((_, _) => ValueTask.FromResult(new ListResourcesResult
            {
                Resources = [new Resource { Uri = "fixture://greeting", Name = "greeting", MimeType = "text/plain" }],
            }))
            .WithReadResourceHandler((request, _) => ValueTask.FromResult(new ReadResourceResult
            {
                Contents = [new TextResourceContents { Uri = request.Params!.Uri, MimeType = "text/plain", Text = "hello from upstream" }],
            }))
            .WithListPromptsHandler((_, _) => ValueTask.FromResult(new ListPromptsResult
            {
                Prompts = [new Prompt { Name = "greet", Arguments = [new PromptArgument { Name = "name", Required = true }] }],
            }))
            .WithGetPromptHandler((request, _) => ValueTask.FromResult(new GetPromptResult
            {
                Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = $"Hello, {request.Params!.Arguments!["name"].GetString()}!" } }],
            }));
    }

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        var app = (WebApplication)routes;
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization != $"Bearer {token}")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            await next(context);
        });
        routes.MapMcp("/mcp");
    }
}
