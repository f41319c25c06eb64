namespace Mcp.Cluster.Completions;

[GenerateSerializer, Alias("mcp.CancelCompletionOutcome")]
public enum CancelCompletionOutcome
{
    Cancelling,
    NotFound,
    Forbidden,
    AlreadyFinished,
}
