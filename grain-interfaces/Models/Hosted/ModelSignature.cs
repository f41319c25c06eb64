namespace Mcp.Cluster.Models.Hosted;

/// <summary>A hosted model's inputs and outputs, read from its ONNX file when the file is attached.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelSignature")]
public sealed record ModelSignature(
    [property: Id(0)] TensorSpec[] Inputs,
    [property: Id(1)] TensorSpec[] Outputs);
