namespace Mcp.Cluster.Models;

/// <summary>A name's alias (e.g. <c>production</c>) and the model id it points at.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelAlias")]
public sealed record ModelAlias(
    [property: Id(0)] string Alias,
    [property: Id(1)] string ModelId,
    [property: Id(2)] string Version);
