using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>Where a completion's events go: an HTTP answer, an SSE stream or a WebSocket.</summary>
public interface ICompletionSink
{
    /// <summary>The key's token quota cannot cover the request; nothing was started.</summary>
    Task RefusedAsync(TokenReservation refusal, long requested);

    Task StartedAsync(string completionId);

    Task TokenAsync(string text);

    /// <summary>The last event of a successful completion: finish reason and token counts.</summary>
    Task DoneAsync(CompletionChunk final);

    /// <summary>The completion failed or was cancelled; <paramref name="started"/> says whether tokens were sent already.</summary>
    Task FailedAsync(CompletionChunk failure, bool started);
}
