namespace Mcp.Cluster.Completions;

[GenerateSerializer, Alias("mcp.CompletionState")]
public enum CompletionState
{
    Running,
    Completed,
    Failed,
    Cancelled,
}
