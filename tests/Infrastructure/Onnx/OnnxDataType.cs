namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>TensorProto.DataType values from onnx.proto.</summary>
public enum OnnxDataType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
}
