using Orleans.Concurrency;

namespace Mcp.Cluster.McpSessions;

/// <summary>One stateful MCP session, keyed by its <c>Mcp-Session-Id</c>, kept so any gateway can continue it.</summary>
[Alias("mcp.session")]
public interface IMcpSessionGrain : IGrainWithStringKey
{
    [Alias("open")]
    Task OpenAsync(string keyId, string initializeParamsJson);

    /// <summary>The session, or null when it was never opened, was closed or has been idle longer than its lifetime.</summary>
    [Alias("get")]
    Task<McpSessionRecord?> GetAsync();

    [Alias("subscribe")]
    Task SubscribeAsync(string uri);

    [Alias("unsubscribe")]
    Task UnsubscribeAsync(string uri);

    /// <summary>The session is still in use on some gateway: it keeps it from expiring.</summary>
    [Alias("keep-alive")]
    Task KeepAliveAsync();

    [Alias("close")]
    Task CloseAsync();
}
