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
}
