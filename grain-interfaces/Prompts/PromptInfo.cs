namespace Mcp.Cluster.Prompts;

[GenerateSerializer, Immutable, Alias("mcp.PromptInfo")]
public sealed record PromptInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] PromptDefinition Definition,
    [property: Id(2)] string Owner,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt);
