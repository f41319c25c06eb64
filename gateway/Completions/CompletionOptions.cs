using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>Bound from <c>Completions</c>.</summary>
public sealed class CompletionOptions
{
    public const string Section = "Completions";

    /// <summary>
    /// The output bound asked for when a request names no <c>max_tokens</c>. Every completion has a bound, so the
    /// tokens reserved against a key's quota before it starts are an upper limit of what it can use.
    /// </summary>
    [Positive]
    public int DefaultMaxTokens { get; set; } = 1024;

    [Positive]
    public int MaxTokensLimit { get; set; } = 131_072;

    /// <summary>Most inputs one embeddings request may carry.</summary>
    [Positive]
    public int MaxEmbeddingInputs { get; set; } = 2048;

    /// <summary>Completions one WebSocket connection may run at once.</summary>
    [Positive]
    public int MaxConcurrentStreamsPerSocket { get; set; } = 32;

    /// <summary>Largest WebSocket message accepted; a larger one closes the connection with 1009.</summary>
    [Positive]
    public int MaxSocketMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a WebSocket opened without a key may take to send its <c>auth</c> frame; then it is closed with 1008
    /// (policy violation). Answering pings does not count: an unauthenticated connection must not be held open.
    /// </summary>
    [Positive]
    public TimeSpan SocketAuthTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WebSocket ping interval, so idle connections through proxies stay open.</summary>
    [Positive]
    public TimeSpan SocketKeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a ping may go unanswered before the connection is dropped: a client that stopped reading would
    /// otherwise hold its completions (and their upstream calls) forever, its sends never finishing.
    /// </summary>
    [Positive]
    public TimeSpan SocketKeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the model streaming a completion sends a heartbeat while its provider is quiet. Must be well below
    /// <see cref="StreamIdleTimeout"/>.
    /// </summary>
    [Positive]
    public TimeSpan StreamHeartbeat { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A stream that brings nothing, not even a heartbeat, for this long has lost the node running it (a silo that
    /// died sends nothing, and Orleans would only give up on the call after its 30 s response timeout): the client gets
    /// an error event (<c>model_unavailable</c>) then and there.
    /// </summary>
    [Positive]
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the end of a completion waits for its tokens to be settled before answering anyway; a settle that did
    /// not get through is done by the key's token lease instead.
    /// </summary>
    [Positive]
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
