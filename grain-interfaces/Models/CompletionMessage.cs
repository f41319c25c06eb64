namespace Mcp.Cluster.Models;

[GenerateSerializer, Immutable]
public sealed record CompletionMessage([property: Id(0)] string Role, [property: Id(1)] string Content);
