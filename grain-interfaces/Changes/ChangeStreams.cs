namespace Mcp.Cluster.Changes;

/// <summary>
/// The Orleans stream catalog changes are published on. Every gateway subscribes to it, so a change made through any
/// gateway reaches MCP clients connected to every other one. Memory streams: an event in flight when a silo dies is
/// lost, so clients may miss that one notification (and see the change on their next list or read).
/// </summary>
public static class ChangeStreams
{
    public const string Provider = "mcp";
    public const string Namespace = "catalog-changes";
    public const string Key = "all";

    /// <summary>The grain storage Orleans keeps stream subscriptions in.</summary>
    public const string PubSubStorage = "PubSubStore";
}
