using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.Changes;
using Mcp.Cluster.McpSessions;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Orleans.Streams;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Requests this gateway sends to MCP clients on behalf of a tool call (an upstream's <c>sampling/createMessage</c> or
/// <c>elicitation/create</c>), and the way their answers come back. A request goes out on the call's own response
/// stream, under an id that names this gateway (<c>mcpc.{gateway}.{random}</c>). The client may post its answer to any
/// gateway of the cluster: posted here, the SDK's session takes it; posted to another gateway,
/// <see cref="McpClientAnswerMiddleware"/> takes it there, before that gateway's SDK, and it arrives here over the
/// <see cref="McpClientAnswers"/> stream. An answer counts only from the session the request was sent to.
/// </summary>
public sealed class McpClientRequests(IClusterClient cluster, IOptions<McpOptions> options, TimeProvider time, ILogger<McpClientRequests> logger)
{
    public const string IdPrefix = "mcpc.";

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>This gateway's name in request ids, fresh for every start (a restarted gateway has no waiting calls).</summary>
    public string GatewayId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Sends a request to the client of <paramref name="server"/> and waits for its answer (a response or an error).</summary>
    public async Task<JsonRpcMessage> SendAsync(McpServer server, string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var sessionId = server.SessionId ?? throw new McpProtocolException($"{method} needs a session: the client made this call without one.", McpErrorCode.InvalidRequest);
        var id = new RequestId($"{IdPrefix}{GatewayId}.{Guid.NewGuid():N}");
        var elsewhere = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id.ToString()] = new Pending(sessionId, elsewhere);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // An answer posted to this gateway goes to the SDK's session, which waits for it; one posted to another
        // gateway arrives over the stream instead.
        var here = server.SendRequestAsync(new JsonRpcRequest { Id = id, Method = method, Params = parameters }, stop.Token);
        try
        {
            var first = await Task.WhenAny(here, elsewhere.Task).WaitAsync(options.Value.ClientRequestTimeout, time, cancellationToken);
            if (first == elsewhere.Task)
            {
                // The SDK's session still waits: stop it (it tells the client the request is void, which the client
                // ignores for a request it has answered).
                await stop.CancelAsync();
                return await elsewhere.Task;
            }
            return await here;
        }
        catch (McpProtocolException refused) when (!cancellationToken.IsCancellationRequested)
        {
            // The client answered with an error.
            const string remote = "Request failed (remote): ";
            var message = refused.Message.StartsWith(remote, StringComparison.Ordinal) ? refused.Message[remote.Length..] : refused.Message;
            return new JsonRpcError { Id = id, Error = new JsonRpcErrorDetail { Code = (int)refused.ErrorCode, Message = message } };
        }
        finally
        {
            _pending.TryRemove(id.ToString(), out _);
            // A request given up on (timeout, the call ended) is cancelled with the client too.
            await stop.CancelAsync();
            try
            {
                await here;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Client request {RequestId} ended without an answer here", id);
            }
        }
    }

    /// <summary>
    /// Whether an answer posted here belongs to a request another gateway sent; those are sent on to it (answers to
    /// this gateway's own requests are the SDK session's to take).
    /// </summary>
    public bool SentElsewhere(string requestId) => OwnerOf(requestId) is { } owner && owner != GatewayId;

    /// <summary>Sends an answer posted here in session <paramref name="sessionId"/> to the gateway its request id names.</summary>
    public async Task ForwardAsync(string sessionId, string requestId, string json)
    {
        if (OwnerOf(requestId) is not { } owner)
        {
            return;
        }
        await cluster.GetStreamProvider(ChangeStreams.Provider)
            .GetStream<McpClientAnswer>(StreamId.Create(McpClientAnswers.Namespace, McpClientAnswers.Key))
            .OnNextAsync(new McpClientAnswer(owner, sessionId, requestId, json));
    }

    /// <summary>Completes a waiting request with its answer; ignored when nothing waits or the session is not the one asked.</summary>
    public void Accept(string sessionId, string requestId, string json)
    {
        if (!_pending.TryGetValue(requestId, out var pending) || !string.Equals(pending.SessionId, sessionId, StringComparison.Ordinal))
        {
            logger.LogDebug("An answer to client request {RequestId} came when nothing waited for it from that session", requestId);
            return;
        }
        try
        {
            var message = JsonSerializer.Deserialize(json, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage))) as JsonRpcMessage;
            if (message is JsonRpcResponse or JsonRpcError)
            {
                pending.Answer.TrySetResult(message);
            }
        }
        catch (JsonException e)
        {
            logger.LogDebug(e, "The answer to client request {RequestId} is not JSON-RPC", requestId);
        }
    }

    /// <summary>The gateway a request id names; null when it is not one of ours.</summary>
    public static string? OwnerOf(string requestId)
    {
        if (!requestId.StartsWith(IdPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var dot = requestId.IndexOf('.', IdPrefix.Length);
        return dot > IdPrefix.Length ? requestId[IdPrefix.Length..dot] : null;
    }

    private sealed record Pending(string SessionId, TaskCompletionSource<JsonRpcMessage> Answer);
}
