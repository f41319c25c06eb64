namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// A key in the directory. <see cref="Permissions"/> lets listings leave out keys more powerful than the caller, and
/// <see cref="CreatedBy"/> (the creating key's id, or who else made it) lets them show a key only the keys it
/// descends from. Entries written before either was recorded hold null until the directory fills it in from the key grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyDirectoryEntry")]
public sealed record ApiKeyDirectoryEntry(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Owner,
    [property: Id(2)] Permissions? Permissions = null,
    [property: Id(3)] string? CreatedBy = null);
