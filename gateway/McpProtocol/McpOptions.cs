namespace Mcp.Cluster.Gateway.McpProtocol;

public sealed class McpOptions
{
    public const string Section = "Mcp";

    /// <summary>
    /// Browser origins allowed to call <c>/mcp</c> (DNS-rebinding protection). Requests without an Origin header
    /// (non-browser clients) are always allowed; a browser page on any other origin gets 403.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = ["http://localhost", "https://localhost", "http://127.0.0.1", "https://127.0.0.1"];

    /// <summary>Idle stateful (2025-11-25) sessions are dropped after this long.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Resource subscriptions one session may hold (the silos' session grains hold the same limit).</summary>
    public int MaxSubscriptionsPerSession { get; set; } = 1000;

    /// <summary>Accept the API key as <c>/mcp?api_key=…</c> for clients that cannot send headers (off: URLs get logged).</summary>
    public bool AllowKeyInQuery { get; set; }

    /// <summary>Rows a data-source table resource returns when read.</summary>
    public int ResourceRows { get; set; } = 20;

    /// <summary>
    /// How long a request relayed to a client (an upstream's sampling or elicitation during a tool call) waits for the
    /// client's answer before the upstream is told the client did not answer.
    /// </summary>
    public TimeSpan ClientRequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Keep the events of SSE streams (in grains, so any gateway can replay them) and send event ids, so a client that
    /// lost a stream resumes it with <c>Last-Event-ID</c>. Applies to 2025-11-25 sessions.
    /// </summary>
    public bool SseResumable { get; set; } = true;

    /// <summary>The <c>retry</c> hint sent with a stream's priming event: how long a client waits before reconnecting.</summary>
    public TimeSpan SseRetryInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Events kept per stream for replay; the oldest go first.</summary>
    public int SseMaxEventsPerStream { get; set; } = 1000;

    /// <summary>Bytes of event data kept per stream for replay; the oldest go first.</summary>
    public long SseMaxBytesPerStream { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long a completed stream (a request whose response was sent) can still be replayed.</summary>
    public TimeSpan SseCompletedStreamRetention { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// When set, a tools/call still running after this long ends its POST response (after a priming event with the
    /// retry hint) and the client polls for the rest with <c>GET</c> and <c>Last-Event-ID</c>, on any gateway, so long
    /// calls hold no connection open. Off by default.
    /// </summary>
    public TimeSpan? SsePollToolCallsAfter { get; set; }
}
