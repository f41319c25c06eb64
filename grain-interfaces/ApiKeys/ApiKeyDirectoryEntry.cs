namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer, Immutable]
public sealed record ApiKeyDirectoryEntry([property: Id(0)] string KeyId, [property: Id(1)] string Owner);
