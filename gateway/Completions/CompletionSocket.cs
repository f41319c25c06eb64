using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Gateway.Usage;
using Mcp.Cluster.Models;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>
/// One WebSocket connection of <c>/ws/completions</c>. Frames are JSON text messages. The client sends
/// <c>{"type":"auth","api_key":…}</c> (unless the key came with the upgrade request),
/// <c>{"type":"completion","request_id":…,"model_id":…,"messages"|"prompt":…}</c> and <c>{"type":"cancel","request_id":…}</c>;
/// the server answers per request with <c>started</c>, <c>token</c>…, then <c>done</c>, <c>error</c> or <c>cancelled</c>.
/// Several completions run at once; each is authorized and metered like an HTTP request.
/// </summary>
public sealed class CompletionSocket(
    WebSocket socket,
    ApiKeyPrincipal? principal,
    IGrainFactory grains,
    Models.ModelResolver models,
    ApiKeyHasher hasher,
    CompletionRunner runner,
    CompletionOptions options,
    JsonSerializerOptions json,
    UsagePublisher usage,
    Telemetry.McpMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    // How long a refused client gets to read the close frame before the connection is cut.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText RequestIdName = JsonEncodedText.Encode("request_id");
    private static readonly JsonEncodedText TextName = JsonEncodedText.Encode("text");

    // One send at a time is all a WebSocket allows; completions on one connection take turns. Sending straight from
    // the completion (rather than through a queue and a writer task) keeps an idle connection small and lets a slow
    // reader slow its own upstream reads instead of piling up frames.
    private readonly SemaphoreSlim _sending = new(1, 1);
    private ArrayBufferWriter<byte>? _frame;
    private Utf8JsonWriter? _frameWriter;
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private ApiKeyPrincipal? _principal = principal;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var authDeadline = _principal is null ? CloseUnlessAuthenticatedAsync(connection) : Task.CompletedTask;
        try
        {
            await ReadLoopAsync(connection.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away (or never authenticated); running completions are cancelled below.
        }
        finally
        {
            await connection.CancelAsync();
            await authDeadline;
            Running[] running;
            lock (_running)
            {
                running = [.. _running.Values];
            }
            foreach (var completion in running)
            {
                await completion.CancelAsync();
            }
            await Task.WhenAll(running.Select(r => r.Task));
        }
    }

    /// <summary>An unauthenticated connection gets <see cref="CompletionOptions.SocketAuthTimeout"/> to send its key, then 1008.</summary>
    private async Task CloseUnlessAuthenticatedAsync(CancellationTokenSource connection)
    {
        try
        {
            await Task.Delay(options.SocketAuthTimeout, time, connection.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (Volatile.Read(ref _principal) is null)
        {
            await RefuseAndCloseAsync($"No auth frame within {options.SocketAuthTimeout.TotalSeconds:0.#} s.");
            // A client that answers the close ends the read loop (which cancels this wait); one that does not is cut
            // off. Not at once: an abort right after the close frame can reset the connection before it is read.
            try
            {
                await Task.Delay(CloseGrace, time, connection.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await connection.CancelAsync();
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (socket.State == WebSocketState.Open)
        {
            // Wait for the next message without holding a buffer: an idle connection (most of them, while their
            // completions stream) then costs no receive memory. The buffer is rented only while a message is read.
            var peek = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, "Bye.");
                return;
            }
            var buffer = new ArrayBufferWriter<byte>(1024);
            var received = peek;
            while (!received.EndOfMessage)
            {
                received = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken);
                buffer.Advance(received.Count);
                if (buffer.WrittenCount > options.MaxSocketMessageBytes)
                {
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {options.MaxSocketMessageBytes} bytes.");
                    return;
                }
            }

            if (received.MessageType == WebSocketMessageType.Close)
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, "Bye.");
                return;
            }
            if (received.MessageType != WebSocketMessageType.Text)
            {
                await SendAsync(new SocketFrame("error", null) { Error = "invalid_request", Detail = "Frames are JSON text messages." });
                continue;
            }
            await HandleAsync(buffer.WrittenMemory, cancellationToken);
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ClientFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize<ClientFrame>(message.Span, json);
        }
        catch (JsonException e)
        {
            await SendAsync(new SocketFrame("error", null) { Error = "invalid_request", Detail = $"The frame is not valid: {e.Message}" });
            return;
        }
        if (frame is null)
        {
            await SendAsync(new SocketFrame("error", null) { Error = "invalid_request", Detail = "The frame must be a JSON object." });
            return;
        }
        switch (frame.Type ?? (frame.ModelId is not null ? "completion" : null))
        {
            case "auth":
                await AuthenticateAsync(frame);
                break;
            case "completion":
                await StartCompletionAsync(frame, cancellationToken);
                break;
            case "cancel":
                if (frame.RequestId is { } id && Find(id) is { } running)
                {
                    await running.CancelAsync();
                }
                else
                {
                    await SendAsync(new SocketFrame("error", frame.RequestId) { Error = "not_found", Detail = "No running completion has this request_id." });
                }
                break;
            default:
                await SendAsync(new SocketFrame("error", frame.RequestId) { Error = "invalid_request", Detail = "Frame 'type' must be auth, completion or cancel." });
                break;
        }
    }

    private async Task AuthenticateAsync(ClientFrame frame)
    {
        if (frame.ApiKey is not { } presented || !ApiKeyFormat.TryGetKeyId(presented, out var keyId))
        {
            await RefuseAndCloseAsync("Invalid API key.");
            return;
        }
        var hash = hasher.Hash(presented);
        var decision = await grains.GetGrain<IApiKeyGrain>(keyId).AuthorizeAsync(new AccessRequest(hash, Permissions.Execute, 1));
        if (decision.Outcome is AccessOutcome.UnknownKey or AccessOutcome.Expired or AccessOutcome.Revoked or AccessOutcome.Forbidden)
        {
            await RefuseAndCloseAsync(decision.Outcome == AccessOutcome.Forbidden ? "This API key lacks the 'execute' permission." : "Invalid API key.");
            return;
        }
        Volatile.Write(ref _principal, new ApiKeyPrincipal(keyId, decision.Owner!, decision.Permissions) { PresentedKeyHash = hash });
        await SendAsync(new SocketFrame("authenticated", null) { KeyId = keyId });
    }

    private async Task StartCompletionAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        var requestId = frame.RequestId;
        if (_principal is not { } key)
        {
            await SendAsync(new SocketFrame("error", requestId) { Error = "invalid_api_key", Detail = "Send {\"type\":\"auth\",\"api_key\":…} first, or the key with the upgrade request." });
            return;
        }
        if (string.IsNullOrEmpty(requestId) || requestId.Length > CompletionRequestValidator.MaxRequestIdLength)
        {
            await SendAsync(new SocketFrame("error", requestId) { Error = "validation_error", Detail = "Every completion frame needs a request_id (at most 128 characters)." });
            return;
        }
        if (Find(requestId) is not null)
        {
            await SendAsync(new SocketFrame("error", requestId) { Error = "validation_error", Detail = "A completion with this request_id is still running." });
            return;
        }
        if (RunningCount >= options.MaxConcurrentStreamsPerSocket)
        {
            await SendAsync(new SocketFrame("error", requestId) { Error = "too_many_streams", Detail = $"At most {options.MaxConcurrentStreamsPerSocket} completions may run at once on one connection." });
            return;
        }
        var (request, problem) = CompletionRequestValidator.Validate(frame, options);
        if (problem is not null)
        {
            await SendAsync(new SocketFrame("error", requestId) { Error = "validation_error", Detail = problem.Detail, Field = problem.Field });
            return;
        }
        var modelId = await models.ResolveAsync(frame.ModelId!);
        if (modelId is null)
        {
            await SendAsync(new SocketFrame("error", requestId) { Error = "not_found", Detail = $"Model '{frame.ModelId}' not found." });
            return;
        }

        // Not linked to the connection: when it ends, RunAsync cancels every running completion itself.
        var running = new Running(new CancellationTokenSource());
        lock (_running)
        {
            _running[requestId] = running;
        }
        running.Task = RunCompletionAsync(key, modelId, request!, requestId, running);
    }

    private Running? Find(string requestId)
    {
        lock (_running)
        {
            return _running.GetValueOrDefault(requestId);
        }
    }

    private int RunningCount
    {
        get
        {
            lock (_running)
            {
                return _running.Count;
            }
        }
    }

    private async Task RunCompletionAsync(ApiKeyPrincipal key, string modelId, CompletionRequest request, string requestId, Running running)
    {
        await Task.Yield();
        var sink = new SocketSink(this, requestId);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            // Each completion is a request: metered against the key's rate limit and quotas, refused once the key is
            // revoked, and its tokens reserved, in the one key-grain call the runner makes through this check.
            var check = new FrameKeyCheck(this, grains, key, requestId);
            var tally = await runner.RunAsync(key, modelId, request, requestId, sink, running.Cancel.Token, keyCheck: check);
            if (!check.Refused)
            {
                // A frame the key may not send is not its traffic, as before it was checked here.
                Record(key, modelId, started, tally);
            }
        }
        catch (Exception e) when (e is OperationCanceledException || running.Cancel.IsCancellationRequested)
        {
            Record(key, modelId, started, new CompletionTally(499, 0, 0));
            await SendAsync(new SocketFrame("cancelled", requestId) { Id = sink.CompletionId });
        }
        catch (Exception e)
        {
            Record(key, modelId, started, new CompletionTally(StatusCodes.Status500InternalServerError, 0, 0));
            logger.LogError(e, "Completion {RequestId} on a WebSocket failed", requestId);
            await SendAsync(new SocketFrame("error", requestId) { Error = "internal_error", Detail = "The completion failed unexpectedly; it has been logged." });
        }
        finally
        {
            lock (_running)
            {
                _running.Remove(requestId);
            }
            running.Cancel.Dispose();
        }
    }

    /// <summary>Each completion on the socket is one usage event, as if it had been its own HTTP request.</summary>
    private void Record(ApiKeyPrincipal key, string modelId, long started, CompletionTally tally)
    {
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        metrics.Request("websocket", Route, tally.Status, elapsed);
        usage.Publish(new Mcp.Cluster.Usage.UsageEvent(time.GetUtcNow(), key.KeyId, modelId, null, Route, "websocket",
            tally.Status, elapsed.TotalMilliseconds, tally.PromptTokens, tally.CompletionTokens));
    }

    private const string Route = "WS /ws/completions";

    internal Task SendAsync(SocketFrame frame) => SendAsync(frame, static (writer, frame, json) => JsonSerializer.Serialize(writer, frame, json));

    /// <summary>
    /// A <c>token</c> frame, the same JSON as its <see cref="SocketFrame"/>, written without a frame object or a byte
    /// array per token: the one a stream sends most.
    /// </summary>
    internal Task SendTokenAsync(string? requestId, string text) => SendAsync((requestId, text), static (writer, token, _) =>
    {
        writer.WriteStartObject();
        writer.WriteString(TypeName, "token");
        if (token.requestId is not null)
        {
            writer.WriteString(RequestIdName, token.requestId);
        }
        writer.WriteString(TextName, token.text);
        writer.WriteEndObject();
    });

    private async Task SendAsync<T>(T frame, Action<Utf8JsonWriter, T, JsonSerializerOptions> write)
    {
        await _sending.WaitAsync();
        try
        {
            // Written under the send lock into this connection's one buffer, made at its first frame.
            _frame ??= new ArrayBufferWriter<byte>(256);
            _frameWriter ??= new Utf8JsonWriter(_frame, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented });
            _frame.ResetWrittenCount();
            _frameWriter.Reset(_frame);
            write(_frameWriter, frame, json);
            _frameWriter.Flush();
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(_frame.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
            // The connection is gone; the read loop sees it too and cancels what is running.
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task RefuseAndCloseAsync(string detail)
    {
        await SendAsync(new SocketFrame("error", null) { Error = "invalid_api_key", Detail = detail });
        await CloseAsync(WebSocketCloseStatus.PolicyViolation, detail);
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        // After any frame being sent, so it is not cut off by the close.
        await _sending.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, reason.Length > 120 ? reason[..120] : reason, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    private sealed class Running(CancellationTokenSource cancel)
    {
        public CancellationTokenSource Cancel { get; } = cancel;

        /// <summary>A completion may end (and dispose its token source) just as a cancel for it arrives.</summary>
        public async Task CancelAsync()
        {
            try
            {
                await Cancel.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public Task Task { get; set; } = Task.CompletedTask;
    }

    /// <summary>The key check of one completion frame; a refusal is an error frame (and the close, for a key no longer valid).</summary>
    private sealed class FrameKeyCheck(CompletionSocket socket, IGrainFactory grains, ApiKeyPrincipal key, string requestId) : IKeyReservationCheck
    {
        public bool Refused { get; private set; }

        public async Task<KeyReservation> AuthorizeAndReserveAsync(string reservationId, long tokens)
        {
            var answer = await grains.GetGrain<IApiKeyGrain>(key.KeyId)
                .AuthorizeAndReserveAsync(new AccessRequest(key.PresentedKeyHash, Permissions.Execute, 1), reservationId, tokens);
            var decision = answer.Access;
            if (decision.Outcome == AccessOutcome.Allowed && answer.Tokens is { } reservation)
            {
                return new KeyReservation(key, reservation, StatusCodes.Status200OK);
            }
            var (status, code, detail) = decision.Outcome switch
            {
                AccessOutcome.RateLimited => (StatusCodes.Status429TooManyRequests, "rate_limit_exceeded", $"Too many requests; the window resets at {decision.ResetAt:O}."),
                AccessOutcome.DailyQuotaExceeded or AccessOutcome.MonthlyQuotaExceeded => (StatusCodes.Status429TooManyRequests, "quota_exceeded", "The key's request quota is used up."),
                AccessOutcome.Forbidden => (StatusCodes.Status403Forbidden, "forbidden", "This API key lacks the 'execute' permission."),
                _ => (StatusCodes.Status401Unauthorized, "invalid_api_key", "The API key is no longer valid."),
            };
            Refused = true;
            await socket.SendAsync(new SocketFrame("error", requestId) { Error = code, Detail = detail });
            if (status == StatusCodes.Status401Unauthorized)
            {
                await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, detail);
            }
            return KeyReservation.Refused(status);
        }
    }

    private sealed class SocketSink(CompletionSocket socket, string requestId) : ICompletionSink
    {
        private string _id = "";

        public string? CompletionId => _id.Length > 0 ? _id : null;

        public Task RefusedAsync(TokenReservation refusal, long requested) => socket.SendAsync(new SocketFrame("error", requestId)
        {
            Error = TokenQuota.ErrorCode,
            Detail = $"This request may use up to {requested} tokens, more than the key's {(refusal.Window == "day" ? "daily" : "per-minute")} token quota has left.",
            RetryAt = refusal.RetryAt,
        });

        public Task StartedAsync(string completionId)
        {
            _id = completionId;
            return socket.SendAsync(new SocketFrame("started", requestId) { Id = completionId });
        }

        public Task TokenAsync(string text) => socket.SendTokenAsync(requestId, text);

        public Task DoneAsync(CompletionChunk final) => socket.SendAsync(new SocketFrame("done", requestId)
        {
            Id = _id,
            FinishReason = final.FinishReason,
            Usage = CompletionUsageResponse.Of(final.PromptTokens, final.CompletionTokens),
        });

        public Task FailedAsync(CompletionChunk failure, bool started) => failure.Error == PredictionOutcome.Cancelled
            ? socket.SendAsync(new SocketFrame("cancelled", requestId) { Id = _id })
            : socket.SendAsync(new SocketFrame("error", requestId)
            {
                Id = _id.Length > 0 ? _id : null,
                Error = PredictionOutcomeErrors.Code(failure.Error!.Value),
                Detail = failure.Detail,
            });
    }

    /// <summary>What a client sends: a completion request plus the frame's type and, for <c>auth</c>, the key.</summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record ClientFrame : CompletionApiRequest
    {
        public string? Type { get; init; }

        public string? ApiKey { get; init; }
    }
}

/// <summary>What the server sends; unset fields are left out.</summary>
public sealed record SocketFrame(
    [property: JsonPropertyOrder(-2)] string Type,
    [property: JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RequestId)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Id { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Text { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FinishReason { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CompletionUsageResponse? Usage { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Detail { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Field { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? KeyId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? RetryAt { get; init; }
}
