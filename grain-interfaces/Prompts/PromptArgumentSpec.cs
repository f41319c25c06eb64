namespace Mcp.Cluster.Prompts;

/// <summary>
/// One argument of a prompt. <see cref="Type"/> is <c>string</c>, <c>number</c>, <c>integer</c> or <c>boolean</c>;
/// <see cref="Values"/> (when given) are the only values allowed and what argument completion offers.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.PromptArgumentSpec")]
public sealed record PromptArgumentSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] bool Required,
    [property: Id(3)] string Type,
    [property: Id(4)] IReadOnlyList<string>? Values,
    [property: Id(5)] string? Default);
