namespace Mcp.Cluster.Completions;

[GenerateSerializer, Immutable, Alias("mcp.CompletionEnd")]
public sealed record CompletionEnd(
    [property: Id(0)] CompletionState State,
    [property: Id(1)] DateTimeOffset FinishedAt,
    [property: Id(2)] string? FinishReason,
    [property: Id(3)] long PromptTokens,
    [property: Id(4)] long CompletionTokens,
    [property: Id(5)] string? Text,
    [property: Id(6)] Models.PredictionOutcome? Error,
    [property: Id(7)] string? Detail);
