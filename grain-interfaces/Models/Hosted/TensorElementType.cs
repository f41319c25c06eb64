namespace Mcp.Cluster.Models.Hosted;

/// <summary>The ONNX element types a hosted model's inputs and outputs may have.</summary>
[GenerateSerializer, Alias("mcp.TensorElementType")]
public enum TensorElementType
{
    Float,
    Double,
    Int32,
    Int64,
    Bool,
}
