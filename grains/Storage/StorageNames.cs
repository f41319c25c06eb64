namespace Mcp.Cluster.Storage;

public static class StorageNames
{
    /// <summary>The grain storage every MCP Cluster grain persists to.</summary>
    public const string Default = "mcp";
}
