namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// One item's value for one input or output, without the batch dimension. Floating-point types travel in
/// <see cref="Floats"/>, integer and boolean types in <see cref="Longs"/>; the session converts to the declared type.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.NamedTensor")]
public sealed record NamedTensor(
    [property: Id(0)] string Name,
    [property: Id(1)] long[] Dimensions,
    [property: Id(2)] float[]? Floats = null,
    [property: Id(3)] long[]? Longs = null);
