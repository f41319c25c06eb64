using System.Text;
using System.Text.Json;
using Mcp.Cluster.Gateway.Security;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Takes the answers clients post to requests another gateway sent them (ids <c>mcpc.{gateway}.…</c>, see
/// <see cref="McpClientRequests"/>) before the SDK does, and sends them on to that gateway: this gateway's SDK would
/// drop an answer to a request it never sent. Every other message goes on to the SDK untouched. Runs after the key
/// and session-owner checks.
/// </summary>
public sealed class McpClientAnswerMiddleware(RequestDelegate next, McpClientRequests requests)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method)
            && context.Request.Path.StartsWithSegments(McpEndpoints.Path)
            && context.Request.Headers["Mcp-Session-Id"].ToString() is { Length: > 0 } sessionId
            && context.GetApiKey() is not null)
        {
            // Read once here and hand the same bytes on: the body's size is already bounded (RequestBodyLimitMiddleware).
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            body.Position = 0;
            context.Request.Body = body;
            if (AnswerId(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } requestId && requests.SentElsewhere(requestId))
            {
                await requests.ForwardAsync(sessionId, requestId, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }
        }
        await next(context);
    }

    /// <summary>The id of a JSON-RPC response or error whose id is one of the cluster's client request ids; else null.</summary>
    public static string? AnswerId(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            string? id = null;
            var answer = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("method"u8))
                {
                    return null;
                }
                var isId = reader.ValueTextEquals("id"u8);
                answer |= reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    id = reader.GetString();
                }
                reader.Skip();
            }
            return answer && id is not null && McpClientRequests.OwnerOf(id) is not null ? id : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
