namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// A model whose items are matrices, channels first: frames float [batch, 3, sequence] → states [batch, sequence, 3] =
/// transpose(frames * weights per channel), with a mask int64 [batch, sequence] the graph does not read (ONNX Runtime
/// keeps unused graph inputs). Batching items of different lengths pads the last dimension of every channel row, so a
/// misplaced row shows in the pooled states.
/// </summary>
public sealed class FrameScalerModel
{
    public const string Frames = "frames";
    public const string Mask = "mask";
    public const string States = "states";
    public const int Width = 3;

    private static readonly float[] Weights = [0.5f, -2f, 1.25f];

    public byte[] Bytes { get; } = new OnnxGraphBuilder("frame_scaler")
        .Input(Frames, OnnxDataType.Float, "batch", Width, "sequence")
        .Input(Mask, OnnxDataType.Int64, "batch", "sequence")
        .Weights("weights", [Width, 1], Weights)
        .Node("Mul", [Frames, "weights"], ["scaled"])
        .Node("Transpose", ["scaled"], [States], [OnnxProto.IntsAttribute("perm", [0, 2, 1])])
        .Output(States, OnnxDataType.Float, "batch", "sequence", Width)
        .Build();

    /// <summary>The mask-weighted mean of the scaled frames ([3, sequence] flattened), not normalized.</summary>
    public float[] PooledMean(float[] frames, long[] mask)
    {
        var sum = new double[Width];
        var count = 0;
        for (var s = 0; s < mask.Length; s++)
        {
            if (mask[s] == 0)
            {
                continue;
            }

            count++;
            for (var d = 0; d < Width; d++)
            {
                sum[d] += frames[d * mask.Length + s] * Weights[d];
            }
        }

        var mean = new float[Width];
        for (var d = 0; d < Width; d++)
        {
            mean[d] = (float)(sum[d] / count);
        }

        return mean;
    }

    public string WriteTo(string directory, string fileName = "frames.onnx") =>
        TestOnnxModels.Write(directory, fileName, Bytes);
}
