namespace Mcp.Cluster.Completions;

/// <summary>Who asked for a completion: kept with its record so only the owner (or an admin) can read or cancel it.</summary>
[GenerateSerializer, Immutable, Alias("mcp.CompletionOrigin")]
public sealed record CompletionOrigin(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Owner,
    [property: Id(2)] string? RequestId);
