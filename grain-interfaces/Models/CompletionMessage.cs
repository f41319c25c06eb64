namespace Mcp.Cluster.Models;

[GenerateSerializer, Immutable, Alias("mcp.CompletionMessage")]
public sealed record CompletionMessage([property: Id(0)] string Role, [property: Id(1)] string Content);
