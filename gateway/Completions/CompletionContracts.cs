using System.Text.Json.Serialization;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>Body of <c>POST /completions</c> and <c>/completions/stream</c>: a chat (<c>messages</c>) or a <c>prompt</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public record CompletionApiRequest
{
    /// <summary>A model id, <c>name</c>, <c>name@version</c> or <c>name@alias</c>.</summary>
    public string? ModelId { get; init; }

    public CompletionMessageRequest[]? Messages { get; init; }

    public string? Prompt { get; init; }

    public double? Temperature { get; init; }

    /// <summary>Output bound; defaults to <c>Completions:DefaultMaxTokens</c>. It is reserved against the key's token quota.</summary>
    public int? MaxTokens { get; init; }

    public double? TopP { get; init; }

    public string[]? Stop { get; init; }

    /// <summary>The caller's own id for the request, echoed in every event (and required on a WebSocket).</summary>
    public string? RequestId { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CompletionMessageRequest
{
    public string? Role { get; init; }

    public string? Content { get; init; }
}

public sealed record CompletionUsageResponse(long PromptTokens, long CompletionTokens, long TotalTokens)
{
    public static CompletionUsageResponse Of(long prompt, long completion) => new(prompt, completion, prompt + completion);
}

public sealed record CompletionResponse(
    string Id,
    string ModelId,
    string? RequestId,
    string Status,
    string Text,
    string? FinishReason,
    CompletionUsageResponse Usage);

/// <summary><c>GET /completions/{id}</c>.</summary>
public sealed record CompletionStatusResponse(
    string Id,
    string ModelId,
    string? RequestId,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? FinishReason,
    CompletionUsageResponse? Usage,
    string? Text,
    string? Error,
    string? Detail);
