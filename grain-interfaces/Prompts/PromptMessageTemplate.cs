namespace Mcp.Cluster.Prompts;

/// <summary>One message of a prompt: a role (<c>user</c> or <c>assistant</c>) and text with <c>{{argument}}</c> placeholders.</summary>
[GenerateSerializer, Immutable, Alias("mcp.PromptMessageTemplate")]
public sealed record PromptMessageTemplate(
    [property: Id(0)] string Role,
    [property: Id(1)] string Text);
