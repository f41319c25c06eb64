namespace Mcp.Cluster.McpSessions;

/// <summary>
/// What another gateway needs to take over a 2025-11-25 MCP session: the key that opened it, the client's initialize
/// parameters (JSON, as the client sent them) and the resources it subscribed to.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.McpSessionRecord")]
public sealed record McpSessionRecord(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string InitializeParamsJson,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] IReadOnlyList<string> Subscriptions);
