namespace Mcp.Cluster.Models;

/// <summary>Vectors in input order and the prompt tokens the provider counted (estimated when it did not say).</summary>
[GenerateSerializer, Immutable, Alias("mcp.EmbeddingOutcome")]
public sealed record EmbeddingOutcome(
    [property: Id(0)] PredictionOutcome Outcome,
    [property: Id(1)] IReadOnlyList<float[]> Vectors,
    [property: Id(2)] int PromptTokens,
    [property: Id(3)] string? Detail = null,
    [property: Id(4)] TimeSpan? RetryAfter = null);
