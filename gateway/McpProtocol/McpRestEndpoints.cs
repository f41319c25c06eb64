using Mcp.Cluster.Json;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// REST mirrors of what MCP clients see, for callers that do not speak MCP: <c>GET /tools</c>,
/// <c>POST /tools/{name}/execute</c>, <c>GET /resources</c> and <c>GET /resources/read?uri=</c>. Same keys, same
/// filtering, same governance and audit as <c>/mcp</c>.
/// </summary>
public static class McpRestEndpoints
{
    public static IEndpointRouteBuilder MapMcpRestEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/tools", ListToolsAsync).RequireApiKey(Permissions.Read).WithTags("Tools")
            .WithName("ListTools").WithSummary("The MCP tools this key may call (models it may execute, data tools)");
        routes.MapPost("/tools", RegisterToolAsync).RequireApiKey(Permissions.Write).WithTags("Tools")
            .WithName("RegisterTool").WithSummary("Register an HTTP endpoint as a tool: a model with the http provider, served as model.{name}");
        routes.MapPost("/tools/{name}/execute", ExecuteToolAsync).RequireApiKey(Permissions.None).WithTags("Tools")
            .Accepts<JsonElement>("application/json")
            .WithName("ExecuteTool").WithSummary("Call a tool with the JSON body as its arguments, as tools/call does");
        routes.MapGet("/resources", ListResourcesAsync).RequireApiKey(Permissions.Read).WithTags("Resources")
            .WithName("ListResources").WithSummary("The MCP resources and resource templates this key may read");
        routes.MapGet("/resources/read", ReadResourceAsync).RequireApiKey(Permissions.Read).WithTags("Resources")
            .WithName("ReadResource").WithSummary("Read one resource (?uri=datasource://…), as resources/read does");
        return routes;
    }

    private static async Task<IResult> ListToolsAsync(HttpContext context, ModelTools models, DataTools data)
    {
        var key = context.GetRequiredApiKey();
        var tools = data.List().Concat(await models.ListAsync(key));
        return TypedResults.Ok(new { tools = tools.Select(t => new
        {
            name = t.Name, title = t.Title, description = t.Description, input_schema = t.InputSchema, output_schema = t.OutputSchema,
        }) });
    }

    /// <summary>A tool is a model: registering one registers an <c>http</c> model, so it has versions, health checks and metrics like any.</summary>
    private static async Task<Results<Created<RegisteredModelResponse>, JsonHttpResult<ApiError>>> RegisterToolAsync(
        ToolRequest request, HttpContext context, IGrainFactory grains, ModelNameCache names)
    {
        if (request.Url is null || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return ApiErrors.Validation("Field 'url' must be the http(s) URL the tool's input is POSTed to.", "url");
        }
        var config = new JsonObject { ["url"] = url.ToString() };
        if (request.Headers is { } headers)
        {
            config["headers"] = JsonSerializer.SerializeToNode(headers);
        }
        var (definition, error) = ModelRequestValidator.Validate(new RegisterModelRequest
        {
            Name = request.Name,
            Version = request.Version,
            Description = request.Description,
            Provider = "http",
            InputSchema = request.InputSchema,
            OutputSchema = request.OutputSchema,
            Config = JsonSerializer.SerializeToElement(config),
        });
        return error ?? await ModelEndpoints.RegisterDefinitionAsync(definition!, context, grains, names);
    }

    private static async Task<IResult> ExecuteToolAsync(string name, HttpContext context, ModelTools models, DataTools data)
    {
        var key = context.GetRequiredApiKey();
        Dictionary<string, JsonElement>? arguments;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, StrictJson.DocumentOptions, context.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ApiErrors.Validation("The body must be a JSON object of the tool's arguments.");
            }
            arguments = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        }
        catch (JsonException e)
        {
            return ApiErrors.Result(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            return ApiErrors.Validation("A property name is not valid UTF-16 (a lone surrogate escape).");
        }
        try
        {
            CallToolResult result;
            if (ModelTools.Owns(name))
            {
                result = await models.CallAsync(key, name, arguments, context.RequestAborted);
            }
            else if (DataTools.Owns(name))
            {
                if (!key.Permissions.Satisfies(Permissions.Read))
                {
                    return ApiErrors.Forbidden($"Key {key.KeyId} lacks the read permission data tools need.");
                }
                result = await data.CallAsync(key, name, arguments);
            }
            else
            {
                return ApiErrors.NotFound($"Tool '{name}' not found.");
            }
            return TypedResults.Ok(new
            {
                is_error = result.IsError ?? false,
                structured_content = result.StructuredContent,
                content = result.Content.OfType<TextContentBlock>().Select(c => new { type = "text", text = c.Text }),
            });
        }
        catch (McpProtocolException e) when (e.ErrorCode == McpErrorCode.InvalidParams)
        {
            return e.Message.StartsWith("Unknown tool", StringComparison.Ordinal) ? ApiErrors.NotFound(e.Message) : ApiErrors.Forbidden(e.Message);
        }
    }

    private static async Task<IResult> ListResourcesAsync(HttpContext context, DataResources resources)
    {
        var list = await resources.ListAsync(context.GetRequiredApiKey());
        return TypedResults.Ok(new
        {
            resources = list.Select(r => new { uri = r.Uri, name = r.Name, description = r.Description, mime_type = r.MimeType }),
            resource_templates = DataResources.Templates().Select(t => new { uri_template = t.UriTemplate, name = t.Name, description = t.Description }),
        });
    }

    private static async Task<IResult> ReadResourceAsync(HttpContext context, DataResources resources, [FromQuery] string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return ApiErrors.Validation("Query parameter 'uri' is required.", "uri");
        }
        if (!DataResources.Owns(uri))
        {
            return ApiErrors.NotFound($"Resource '{uri}' not found.");
        }
        try
        {
            var result = await resources.ReadAsync(context.GetRequiredApiKey(), uri);
            var contents = (TextResourceContents)result.Contents[0];
            return Results.Text(contents.Text, contents.MimeType ?? "application/json");
        }
        catch (McpProtocolException e) when (e.ErrorCode == McpErrorCode.InvalidParams)
        {
            return ApiErrors.NotFound(e.Message);
        }
        catch (McpProtocolException e)
        {
            return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.DataSourceUnavailable, e.Message);
        }
    }
}

/// <summary>Body of <c>POST /tools</c>: an HTTP endpoint served as the tool <c>model.{name}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ToolRequest
{
    public string? Name { get; init; }

    public string? Version { get; init; }

    public string? Description { get; init; }

    /// <summary>JSON Schema of the arguments (the tool's inputSchema).</summary>
    public JsonElement? InputSchema { get; init; }

    /// <summary>JSON Schema of the answer (the tool's outputSchema).</summary>
    public JsonElement? OutputSchema { get; init; }

    /// <summary>Where the arguments are POSTed; the JSON answer is the result.</summary>
    public string? Url { get; init; }

    /// <summary>Headers sent with every call; secret values are encrypted at rest or ${VAR} references.</summary>
    public Dictionary<string, string>? Headers { get; init; }
}
