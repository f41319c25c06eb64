namespace Mcp.Cluster.Completions;

/// <summary>A running or finished completion as <c>GET /completions/{id}</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("mcp.CompletionRecord")]
public sealed record CompletionRecord(
    [property: Id(0)] string CompletionId,
    [property: Id(1)] CompletionStart Start,
    [property: Id(2)] CompletionState State,
    [property: Id(3)] CompletionEnd? End);
