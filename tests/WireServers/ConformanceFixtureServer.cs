using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// The fixtures the MCP conformance suite (<c>@modelcontextprotocol/conformance</c>) expects of a server under test,
/// written with the official C# SDK: <c>test_*</c> tools (text, image, audio, embedded resource, mixed content, error,
/// progress, logging, sampling, elicitation with defaults and every enum form, a call that moves to polling),
/// <c>test://</c> resources and a template, <c>test_*</c> prompts and argument completion. The
/// gateway fronts it as an integration exposed without a prefix, so the suite exercises the gateway's own MCP endpoint
/// and its federation path together.
/// </summary>
public sealed class ConformanceFixtureServer : WireServer
{
    // A 1x1 red PNG and a minimal 8-sample WAV.
    private const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    private const string Wav = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQgAAAAAAAAAAAAAAA==";

    public Uri McpEndpoint => new(BaseUri, "mcp");

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static readonly JsonElement NoArguments = Schema("""{"type":"object","properties":{}}""");

    private static readonly Tool[] Tools =
    [
        new() { Name = "test_simple_text", Description = "Returns simple text", InputSchema = NoArguments },
        new() { Name = "test_image_content", Description = "Returns an image", InputSchema = NoArguments },
        new() { Name = "test_audio_content", Description = "Returns audio", InputSchema = NoArguments },
        new() { Name = "test_embedded_resource", Description = "Returns an embedded resource", InputSchema = NoArguments },
        new() { Name = "test_multiple_content_types", Description = "Returns text, an image and a resource", InputSchema = NoArguments },
        new() { Name = "test_error_handling", Description = "Always fails", InputSchema = NoArguments },
        new() { Name = "test_tool_with_progress", Description = "Reports progress 0, 50, 100 of 100", InputSchema = NoArguments },
        new() { Name = "test_tool_with_logging", Description = "Logs three messages", InputSchema = NoArguments },
        new()
        {
            Name = "test_sampling", Description = "Asks the client's model to answer a prompt",
            InputSchema = Schema("""{"type":"object","properties":{"prompt":{"type":"string"}},"required":["prompt"]}"""),
        },
        new()
        {
            Name = "test_elicitation", Description = "Asks the user for a name and an email address",
            InputSchema = Schema("""{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]}"""),
        },
        new() { Name = "test_elicitation_sep1034_defaults", Description = "Asks the user with a default for every primitive type", InputSchema = NoArguments },
        new() { Name = "test_elicitation_sep1330_enums", Description = "Asks the user with every enum form", InputSchema = NoArguments },
        new() { Name = "test_reconnection", Description = "Closes its response stream mid-call; the result follows on the resumed stream", InputSchema = NoArguments },
        new()
        {
            Name = "json_schema_2020_12_tool", Description = "Tool with JSON Schema 2020-12 features",
            InputSchema = Schema("""
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
                 "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false}
                """),
        },
    ];

    protected override void ConfigureServices(IServiceCollection services)
    {
        // The suite still tests logging, deprecated from 2026-07-28 on, and sessions (MCP9006), kept for 2025-11-25.
#pragma warning disable MCP9005, MCP9006
        services.AddDistributedMemoryCache();
        services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "conformance-fixtures", Version = "1.0.0" })
            // Sessions, as 2025-11-25 servers have them: requests to the client (sampling, elicitation) need one.
            .WithHttpTransport(transport => transport.SessionMode = HttpServerSessionMode.StatefulForInitializeClients)
            // test_reconnection closes its stream and lets the client poll, which needs events kept for replay.
            .WithDistributedCacheEventStreamStore()
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. Tools] }))
            .WithCallToolHandler(async (request, cancellationToken) =>
            {
                CallToolResult Content(params ContentBlock[] blocks) => new() { Content = [.. blocks] };
                switch (request.Params!.Name)
                {
                    case "test_simple_text":
                        return Content(new TextContentBlock { Text = "This is a simple text response for testing." });
                    case "test_image_content":
                        return Content(ImageContentBlock.FromBytes(Convert.FromBase64String(Png), "image/png"));
                    case "test_audio_content":
                        return Content(AudioContentBlock.FromBytes(Convert.FromBase64String(Wav), "audio/wav"));
                    case "test_embedded_resource":
                        return Content(new EmbeddedResourceBlock
                        {
                            Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." },
                        });
                    case "test_multiple_content_types":
                        return Content(
                            new TextContentBlock { Text = "Multiple content types test:" },
                            ImageContentBlock.FromBytes(Convert.FromBase64String(Png), "image/png"),
                            new EmbeddedResourceBlock
                            {
                                Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" },
                            });
                    case "test_error_handling":
                        return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }] };
                    case "test_tool_with_progress":
                        foreach (var step in new[] { 0, 50, 100 })
                        {
                            if (request.Params.ProgressToken is { } token)
                            {
                                await request.Server.SendNotificationAsync(NotificationMethods.ProgressNotification, new ProgressNotificationParams
                                {
                                    ProgressToken = token, Progress = new ProgressNotificationValue { Progress = step, Total = 100 },
                                }, cancellationToken: cancellationToken);
                            }
                            await Task.Delay(50, cancellationToken);
                        }
                        return Content(new TextContentBlock { Text = "Progress test completed" });
                    case "test_tool_with_logging":
                        foreach (var message in new[] { "Tool execution started", "Tool processing data", "Tool execution completed" })
                        {
                            await request.Server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification, new LoggingMessageNotificationParams
                            {
                                Level = LoggingLevel.Info, Data = JsonSerializer.SerializeToElement(message),
                            }, cancellationToken: cancellationToken);
                            await Task.Delay(50, cancellationToken);
                        }
                        return Content(new TextContentBlock { Text = "Logging test completed" });
                    case "test_sampling":
                    {
                        var prompt = request.Params.Arguments?["prompt"].GetString() ?? "";
                        var answer = await AskClientAsync(request.Server, "sampling/createMessage",
                            new JsonObject
                            {
                                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new JsonObject { ["type"] = "text", ["text"] = prompt } }),
                                ["maxTokens"] = 100,
                            }, cancellationToken);
                        return Content(new TextContentBlock { Text = $"LLM response: {answer?["content"]?["text"]}" });
                    }
                    case "test_elicitation":
                    {
                        var answer = await AskClientAsync(request.Server, "elicitation/create", new JsonObject
                        {
                            ["message"] = request.Params.Arguments?["message"].GetString() ?? "",
                            ["requestedSchema"] = JsonNode.Parse("""
                                {"type":"object","properties":{"username":{"type":"string","description":"User's response"},
                                 "email":{"type":"string","description":"User's email address"}},"required":["username","email"]}
                                """),
                        }, cancellationToken);
                        return Content(new TextContentBlock { Text = $"User response: action={answer?["action"]}, content={answer?["content"]?.ToJsonString()}" });
                    }
                    case "test_elicitation_sep1034_defaults":
                    {
                        var answer = await AskClientAsync(request.Server, "elicitation/create", new JsonObject
                        {
                            ["message"] = "Please review and update the form fields with defaults",
                            ["requestedSchema"] = JsonNode.Parse("""
                                {"type":"object","properties":{
                                  "name":{"type":"string","description":"User name","default":"John Doe"},
                                  "age":{"type":"integer","description":"User age","default":30},
                                  "score":{"type":"number","description":"User score","default":95.5},
                                  "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
                                  "verified":{"type":"boolean","description":"Verification status","default":true}},"required":[]}
                                """),
                        }, cancellationToken);
                        return Content(new TextContentBlock { Text = $"Elicitation completed: action={answer?["action"]}, content={answer?["content"]?.ToJsonString()}" });
                    }
                    case "test_elicitation_sep1330_enums":
                    {
                        var answer = await AskClientAsync(request.Server, "elicitation/create", new JsonObject
                        {
                            ["message"] = "Please select options from the enum fields",
                            ["requestedSchema"] = JsonNode.Parse("""
                                {"type":"object","properties":{
                                  "untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},
                                  "titledSingle":{"type":"string","description":"Select one option with titles",
                                    "oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
                                  "legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],
                                    "enumNames":["Option One","Option Two","Option Three"]},
                                  "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,
                                    "items":{"type":"string","enum":["option1","option2","option3"]}},
                                  "titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,
                                    "items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},
                                 "required":[]}
                                """),
                        }, cancellationToken);
                        return Content(new TextContentBlock { Text = $"Elicitation completed: action={answer?["action"]}, content={answer?["content"]?.ToJsonString()}" });
                    }
                    case "test_reconnection":
                        // Ends this POST's stream now; the result reaches the client on the stream it resumes with Last-Event-ID.
                        await request.EnablePollingAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
                        await Task.Delay(100, cancellationToken);
                        return Content(new TextContentBlock { Text = "Reconnection test completed successfully" });
                    case "json_schema_2020_12_tool":
                        return Content(new TextContentBlock { Text = "ok" });
                    default:
                        throw new McpProtocolException($"Unknown tool {request.Params.Name}", McpErrorCode.InvalidParams);
                }
            })
            .WithListResourcesHandler((_, _) => ValueTask.FromResult(new ListResourcesResult
            {
                Resources =
                [
                    new Resource { Uri = "test://static-text", Name = "static-text", Description = "A static text resource", MimeType = "text/plain" },
                    new Resource { Uri = "test://static-binary", Name = "static-binary", Description = "A static binary resource", MimeType = "image/png" },
                    new Resource { Uri = "test://watched-resource", Name = "watched-resource", Description = "A resource to subscribe to", MimeType = "text/plain" },
                ],
            }))
            .WithListResourceTemplatesHandler((_, _) => ValueTask.FromResult(new ListResourceTemplatesResult
            {
                ResourceTemplates = [new ResourceTemplate { UriTemplate = "test://template/{id}/data", Name = "template", Description = "Data by id", MimeType = "application/json" }],
            }))
            .WithReadResourceHandler((request, _) =>
            {
                var uri = request.Params!.Uri;
                ResourceContents contents = uri switch
                {
                    "test://static-text" => new TextResourceContents { Uri = uri, MimeType = "text/plain", Text = "This is the content of the static text resource." },
                    "test://static-binary" => BlobResourceContents.FromBytes(Convert.FromBase64String(Png), uri, "image/png"),
                    "test://watched-resource" => new TextResourceContents { Uri = uri, MimeType = "text/plain", Text = "Watched resource content." },
                    _ when uri.StartsWith("test://template/", StringComparison.Ordinal) && uri.EndsWith("/data", StringComparison.Ordinal) =>
                        new TextResourceContents
                        {
                            Uri = uri, MimeType = "application/json",
                            Text = JsonSerializer.Serialize(new { id = uri["test://template/".Length..^"/data".Length], templateTest = true, data = $"Data for ID: {uri["test://template/".Length..^"/data".Length]}" }),
                        },
                    _ => throw new McpProtocolException($"Resource {uri} not found", McpErrorCode.InvalidParams),
                };
                return ValueTask.FromResult(new ReadResourceResult { Contents = [contents] });
            })
            .WithSubscribeToResourcesHandler((_, _) => ValueTask.FromResult(new EmptyResult()))
            .WithUnsubscribeFromResourcesHandler((_, _) => ValueTask.FromResult(new EmptyResult()))
            .WithListPromptsHandler((_, _) => ValueTask.FromResult(new ListPromptsResult
            {
                Prompts =
                [
                    new Prompt { Name = "test_simple_prompt", Description = "A simple prompt" },
                    new Prompt
                    {
                        Name = "test_prompt_with_arguments", Description = "A prompt with arguments",
                        Arguments = [new PromptArgument { Name = "arg1", Description = "First test argument", Required = true }, new PromptArgument { Name = "arg2", Description = "Second test argument", Required = true }],
                    },
                    new Prompt
                    {
                        Name = "test_prompt_with_embedded_resource", Description = "A prompt with an embedded resource",
                        Arguments = [new PromptArgument { Name = "resourceUri", Description = "URI of the resource to embed", Required = true }],
                    },
                    new Prompt { Name = "test_prompt_with_image", Description = "A prompt with an image" },
                ],
            }))
            .WithGetPromptHandler((request, _) =>
            {
                var arguments = request.Params!.Arguments ?? new Dictionary<string, JsonElement>();
                string Argument(string name) => arguments.TryGetValue(name, out var value) ? value.GetString() ?? "" : "";
                PromptMessage Text(string text) => new() { Role = Role.User, Content = new TextContentBlock { Text = text } };
                GetPromptResult result = request.Params.Name switch
                {
                    "test_simple_prompt" => new() { Messages = [Text("This is a simple prompt for testing.")] },
                    "test_prompt_with_arguments" => new() { Messages = [Text($"Prompt with arguments: arg1='{Argument("arg1")}', arg2='{Argument("arg2")}'")] },
                    "test_prompt_with_embedded_resource" => new()
                    {
                        Messages =
                        [
                            new PromptMessage
                            {
                                Role = Role.User,
                                Content = new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = Argument("resourceUri"), MimeType = "text/plain", Text = "Embedded resource content for testing." } },
                            },
                            Text("Please process the embedded resource above."),
                        ],
                    },
                    "test_prompt_with_image" => new()
                    {
                        Messages = [new PromptMessage { Role = Role.User, Content = ImageContentBlock.FromBytes(Convert.FromBase64String(Png), "image/png") }, Text("Please analyze the image above.")],
                    },
                    _ => throw new McpProtocolException($"Prompt {request.Params.Name} not found", McpErrorCode.InvalidParams),
                };
                return ValueTask.FromResult(result);
            })
            .WithCompleteHandler((request, _) =>
            {
                var typed = request.Params!.Argument.Value ?? "";
                var values = new[] { "paris", "park", "party", "test", "testing" }.Where(v => v.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToList();
                return ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = values, Total = values.Count, HasMore = false } });
            });
#pragma warning restore MCP9005, MCP9006
    }

    /// <summary>
    /// Sends a request to the client exactly as the suite specifies it (raw JSON, so no schema is reshaped on the way)
    /// and returns the client's result; an error answer fails the tool call.
    /// </summary>
    private static async Task<JsonNode?> AskClientAsync(McpServer server, string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        try
        {
            var response = await server.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, cancellationToken);
            return response.Result;
        }
        catch (Exception e) when (e is not OperationCanceledException and not McpException)
        {
            // The SDK would report only "an error occurred": say what, so a failing suite run shows it.
            throw new McpException($"{method} failed: {e.GetType().Name}: {e.Message}", e);
        }
    }

    protected override void MapRoutes(IEndpointRouteBuilder routes) => routes.MapMcp("/mcp");
}
