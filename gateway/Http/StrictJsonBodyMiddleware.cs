using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.McpProtocol;
using Mcp.Cluster.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>
/// Refuses, once at the edge and for every route, a JSON body that names a property twice or holds a string that is
/// not valid UTF-16 (400 <c>validation_error</c>). Either would otherwise reach a handler, grain or backend that
/// reads it differently or fails reading it, and a caller's mistake would surface as a 500 or as a provider failure
/// that opens the model's circuit for everyone. Bodies that are not JSON at all are left to the route, which owns
/// that message. On <c>/mcp</c> the refusal is a JSON-RPC parse error, so a tool never reads its arguments with one
/// of two values for a name.
/// </summary>
public sealed class StrictJsonBodyMiddleware(RequestDelegate next)
{
    // A declared length is only believed up to this much before the bytes arrive.
    private const long MaxPresized = 16 << 20;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint() is not { } endpoint
            || endpoint.Metadata.GetMetadata<RawRequestBody>() is not null
            || context.WebSockets.IsWebSocketRequest
            || request.ContentLength == 0
            || context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }
            || IsForm(request.ContentType))
        {
            await next(context);
            return;
        }
        // The body size is already capped (RequestBodyLimitMiddleware), so it may be held in memory. Sized by
        // Content-Length, the buffer is exactly the body, which a route reading bytes (predict) hands on uncopied.
        using var buffer = request.ContentLength is { } length and > 0 ? new MemoryStream((int)Math.Min(length, MaxPresized)) : new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var problem = buffer.Length > 0 ? StrictJson.Check(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) : null;
        if (problem is { Kind: StrictJsonProblemKind.Ambiguous })
        {
            if (request.Path.StartsWithSegments(McpEndpoints.Path))
            {
                // MCP clients read JSON-RPC errors: the message is refused as unparseable, before the SDK reads it.
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "application/json";
                var error = new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = null,
                    ["error"] = new JsonObject { ["code"] = -32700, ["message"] = $"Parse error: {problem.Detail}" },
                };
                await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
                return;
            }
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, problem.Detail);
            return;
        }
        buffer.Position = 0;
        request.Body = buffer;
        context.Features.Set(new CheckedJsonBody(problem));
        await next(context);
    }

    private static bool IsForm(string? contentType) => contentType is not null
        && (contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase));
}
