namespace Mcp.Cluster.Completions;

[GenerateSerializer]
public enum CancelCompletionOutcome
{
    Cancelling,
    NotFound,
    Forbidden,
    AlreadyFinished,
}
