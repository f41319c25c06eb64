namespace Mcp.Cluster.Completions;

/// <summary>Who started a completion on which model; <see cref="Owner"/> decides who may read or cancel it.</summary>
[GenerateSerializer, Immutable, Alias("mcp.CompletionStart")]
public sealed record CompletionStart(
    [property: Id(0)] string ModelId,
    [property: Id(1)] string KeyId,
    [property: Id(2)] string Owner,
    [property: Id(3)] DateTimeOffset StartedAt,
    [property: Id(4)] string? RequestId);
