using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary>Turns a refused response into the exception for its status, reading the documented error body when there is one.</summary>
internal static class McpErrorMapper
{
    public static McpApiException ToException(HttpStatusCode status, string body, TimeSpan? retryAfter, string? apiKey)
    {
        var info = Read(status, Scrub(body, apiKey), retryAfter);
        return (int)status switch
        {
            401 => new McpAuthenticationException(info),
            403 => new McpForbiddenException(info),
            404 => new McpNotFoundException(info),
            400 or 422 => new McpValidationException(info),
            429 => new McpRateLimitException(info),
            503 => new McpUnavailableException(info),
            _ => new McpApiException(info),
        };
    }

    /// <summary>
    /// The gateway never echoes a key, but a proxy or a debugging server in between might: an exception is the kind of
    /// thing that ends up in logs, so the caller's key is taken out of everything it carries.
    /// </summary>
    private static string Scrub(string text, string? apiKey) =>
        string.IsNullOrEmpty(apiKey) ? text : text.Replace(apiKey, "***", StringComparison.Ordinal);

    private static McpErrorInfo Read(HttpStatusCode status, string body, TimeSpan? retryAfter)
    {
        string? error = null, detail = null, field = null;
        DateTimeOffset? reset = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                // The /v1 routes nest the same facts under "error" in OpenAI's shape.
                if (root.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object)
                {
                    root = nested;
                    error = Text(root, "code") ?? Text(root, "type");
                    detail = Text(root, "message");
                    field = Text(root, "param");
                }
                else
                {
                    error = Text(root, "error");
                    detail = Text(root, "detail");
                    field = Text(root, "field");
                }
                reset = ResetTime(root);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, an empty body): the status and the raw body are all there is.
        }
        return new McpErrorInfo(status, error, detail, field, body, retryAfter, reset);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary><c>reset_time</c> is Unix seconds on every 429 the gateway writes; an ISO 8601 text is read too.</summary>
    private static DateTimeOffset? ResetTime(JsonElement element)
    {
        if (!element.TryGetProperty("reset_time", out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            && seconds is >= 0 and <= 253402300799)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }
        return null;
    }

    /// <summary>
    /// <c>Retry-After</c> as delta seconds or an HTTP date (RFC 9110 §10.2.3), as a wait from <paramref name="now"/>;
    /// a date already past is no wait at all. Null when absent or unreadable.
    /// </summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
