namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// A key in the directory. <see cref="Permissions"/> lets listings leave out keys more powerful than the caller;
/// entries written before it was recorded hold null until the directory fills it in from the key grain.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyDirectoryEntry(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Owner,
    [property: Id(2)] Permissions? Permissions = null);
