namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// Takes a dynamic batch but answers for the batch as a whole: x float [batch, 2] → total float [2] = ReduceSum over
/// the batch. Its answers cannot be split per item, so a session must run its items one at a time (each item's total
/// is then the item itself).
/// </summary>
public sealed class BatchReducingModel
{
    public const string Input = "x";
    public const string Output = "total";

    public byte[] Bytes { get; } = new OnnxGraphBuilder("batch_reducing")
        .Input(Input, OnnxDataType.Float, "batch", 2)
        .Weights("axes", [1], [0L])
        .Node("ReduceSum", [Input, "axes"], [Output], [OnnxProto.IntAttribute("keepdims", 0)])
        .Output(Output, OnnxDataType.Float, 2)
        .Build();

    public string WriteTo(string directory, string fileName = "reducing.onnx") =>
        TestOnnxModels.Write(directory, fileName, Bytes);
}
