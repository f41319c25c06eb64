namespace Mcp.Cluster.Models.Hosted;

/// <summary>One input (or its output) of a hosted model: a tensor per name, batch dimension left out.</summary>
[GenerateSerializer, Immutable, Alias("mcp.TensorItem")]
public sealed record TensorItem([property: Id(0)] NamedTensor[] Tensors);
