namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// One input or output of a model's ONNX signature. <see cref="Dimensions"/> as the file declares them, the batch
/// dimension first; -1 where a dimension is dynamic (symbolic or unknown).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.TensorSpec")]
public sealed record TensorSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] TensorElementType ElementType,
    [property: Id(2)] long[] Dimensions);
