namespace Mcp.Cluster.Completions;

/// <summary>
/// A completion an executor starts streaming, told to its model grain so it can be read and cancelled from any
/// gateway; <see cref="Control"/> reaches the silo streaming it.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.CompletionBegin")]
public sealed record CompletionBegin(
    [property: Id(0)] string CompletionId,
    [property: Id(1)] CompletionStart Start,
    [property: Id(2)] ICompletionControl? Control);
