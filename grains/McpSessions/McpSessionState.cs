namespace Mcp.Cluster.McpSessions;

[GenerateSerializer, Alias("mcp.McpSessionState")]
public sealed class McpSessionState
{
    [Id(0)] public string KeyId { get; set; } = "";
    [Id(1)] public string InitializeParamsJson { get; set; } = "";
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset LastSeenAt { get; set; }
    [Id(4)] public List<string> Subscriptions { get; set; } = [];
}
