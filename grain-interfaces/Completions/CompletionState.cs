namespace Mcp.Cluster.Completions;

[GenerateSerializer]
public enum CompletionState
{
    Running,
    Completed,
    Failed,
    Cancelled,
}
