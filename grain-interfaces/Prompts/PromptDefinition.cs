namespace Mcp.Cluster.Prompts;

[GenerateSerializer, Immutable, Alias("mcp.PromptDefinition")]
public sealed record PromptDefinition(
    [property: Id(0)] string? Title,
    [property: Id(1)] string? Description,
    [property: Id(2)] IReadOnlyList<PromptArgumentSpec> Arguments,
    [property: Id(3)] IReadOnlyList<PromptMessageTemplate> Messages);
