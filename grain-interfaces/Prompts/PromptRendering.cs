namespace Mcp.Cluster.Prompts;

/// <summary>A prompt with its arguments filled in, or why it could not be (naming the argument).</summary>
[GenerateSerializer, Immutable, Alias("mcp.PromptRendering")]
public sealed record PromptRendering(
    [property: Id(0)] IReadOnlyList<PromptMessageTemplate>? Messages,
    [property: Id(1)] string? Description,
    [property: Id(2)] string? Problem = null,
    [property: Id(3)] string? Argument = null);
