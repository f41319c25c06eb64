namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer, Immutable, Alias("mcp.ApiKeyPage")]
public sealed record ApiKeyPage([property: Id(0)] IReadOnlyList<string> KeyIds, [property: Id(1)] int Total);
