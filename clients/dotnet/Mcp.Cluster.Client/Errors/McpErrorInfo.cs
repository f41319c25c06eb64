using System.Net;

namespace Mcp.Cluster.Client;

/// <summary>What an error response said, read once and handed to whichever exception type fits the status.</summary>
public sealed record McpErrorInfo(
    HttpStatusCode StatusCode,
    string? Error,
    string? Detail,
    string? Field,
    string RawBody,
    TimeSpan? RetryAfter,
    DateTimeOffset? ResetTime);
