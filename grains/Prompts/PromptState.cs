namespace Mcp.Cluster.Prompts;

[GenerateSerializer, Alias("mcp.PromptState")]
public sealed class PromptState
{
    [Id(0)] public PromptDefinition? Definition { get; set; }
    [Id(1)] public string Owner { get; set; } = "";
    [Id(2)] public string CreatedBy { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; set; }
}
