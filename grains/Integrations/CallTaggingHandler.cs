using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

// Logging and sampling are deprecated from protocol 2026-07-28 on; upstreams and clients of 2025-11-25 use them,
// and the gateway relays them between the two.
#pragma warning disable MCP9005

namespace Mcp.Cluster.Integrations;

/// <summary>
/// Marks the messages an upstream sends on a tool call's response stream with the call they belong to. Over
/// Streamable HTTP an upstream sends a call's log lines, progress and requests to the client (sampling, elicitation)
/// on the SSE response of that call's POST, but the SDK's client reads them into one session-wide queue and drops
/// that relation. This handler sits under the SDK: for a <c>tools/call</c> POST carrying our progress token it
/// rewrites each such message of the response stream, adding <c>_meta["io.mcp-cluster/call"] = {token, seq}</c>,
/// which the grain's handlers read (and remove) to route the message to the right call, in wire order.
/// </summary>
internal sealed class CallTaggingHandler(HttpMessageHandler inner, Func<string, CallRelay?> calls) : DelegatingHandler(inner)
{
    public const string MetaKey = "io.mcp-cluster/call";

    /// <summary>The upstream-to-client messages the grain has handlers for; only those are numbered.</summary>
    private static readonly HashSet<string> Routed = new(StringComparer.Ordinal)
    {
        NotificationMethods.ProgressNotification,
        NotificationMethods.LoggingMessageNotification,
        RequestMethods.SamplingCreateMessage,
        RequestMethods.ElicitationCreate,
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = request.Method == HttpMethod.Post && request.Content is { } content ? await CallTokenAsync(content, cancellationToken) : null;
        var response = await base.SendAsync(request, cancellationToken);
        if (token is not null && calls(token) is { } relay && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var tagged = new StreamContent(new SseRewritingStream(await response.Content.ReadAsStreamAsync(cancellationToken), data => Tag(data, token, relay)));
            foreach (var header in response.Content.Headers)
            {
                tagged.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            response.Content = tagged;
        }
        return response;
    }

    /// <summary>Our progress token of a <c>tools/call</c> request body; null for anything else.</summary>
    private static async Task<string?> CallTokenAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            using var body = JsonDocument.Parse(await content.ReadAsByteArrayAsync(cancellationToken));
            return body.RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty("method", out var method) && method.ValueEquals(RequestMethods.ToolsCall)
                && root.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("progressToken", out var token) && token.ValueKind == JsonValueKind.String
                ? token.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Tag(string data, string token, CallRelay relay)
    {
        if (!data.Contains("\"method\"", StringComparison.Ordinal))
        {
            return null;
        }
        JsonObject message;
        try
        {
            if (JsonNode.Parse(data) is not JsonObject parsed)
            {
                return null;
            }
            message = parsed;
        }
        catch (JsonException)
        {
            return null;
        }
        if (message["method"] is not JsonValue method || !method.TryGetValue(out string? name) || !Routed.Contains(name))
        {
            return null;
        }
        if (message["params"] is not JsonObject parameters)
        {
            message["params"] = parameters = new JsonObject();
        }
        if (parameters["_meta"] is not JsonObject meta)
        {
            parameters["_meta"] = meta = new JsonObject();
        }
        meta[MetaKey] = new JsonObject { ["token"] = token, ["seq"] = relay.Number() };
        return message.ToJsonString();
    }

    /// <summary>Reads and removes the tag from a message's <c>_meta</c>: the call's token and the message's number.</summary>
    public static (string? Token, int? Sequence) Untag(JsonObject? meta)
    {
        if (meta?[MetaKey] is not JsonObject tag)
        {
            return (null, null);
        }
        meta.Remove(MetaKey);
        var token = tag["token"] is JsonValue t && t.TryGetValue(out string? s) ? s : null;
        var sequence = tag["seq"] is JsonValue n && n.TryGetValue(out int i) ? i : (int?)null;
        return (token, sequence);
    }
}
