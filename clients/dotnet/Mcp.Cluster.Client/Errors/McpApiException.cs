using System.Net;

namespace Mcp.Cluster.Client;

/// <summary>
/// The gateway refused a request. Carries the documented error body: <see cref="Error"/> (the machine-readable code,
/// e.g. <c>validation_error</c>), <see cref="Detail"/> (a sentence for people), <see cref="Field"/> (the request field
/// at fault, when there is one) and the <see cref="RawBody"/> for anything else it said. The caller's API key never
/// appears in any of them.
/// </summary>
public class McpApiException(McpErrorInfo info, string? message = null)
    : Exception(message ?? DefaultMessage(info))
{
    /// <summary>The HTTP status, e.g. 404.</summary>
    public HttpStatusCode StatusCode { get; } = info.StatusCode;

    /// <summary>The body's <c>error</c> code (<c>not_found</c>, <c>quota_exceeded</c>, …); null when the body had none.</summary>
    public string? Error { get; } = info.Error;

    /// <summary>The body's <c>detail</c>.</summary>
    public string? Detail { get; } = info.Detail;

    /// <summary>The body's <c>field</c>: which request field was refused.</summary>
    public string? Field { get; } = info.Field;

    /// <summary>The response body as text (with the caller's key, should a server ever echo it, replaced by <c>***</c>).</summary>
    public string RawBody { get; } = info.RawBody;

    /// <summary>How long the gateway asked to wait (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; } = info.RetryAfter;

    private static string DefaultMessage(McpErrorInfo info) =>
        $"{(int)info.StatusCode} {info.Error ?? info.StatusCode.ToString()}" + (info.Detail is null ? "" : $": {info.Detail}");
}
