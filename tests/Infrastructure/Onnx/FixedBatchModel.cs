namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// A model that cannot batch: input x float [1, 4] (fixed), output y float [1, 4] = x * scale + shift. Sessions must
/// run its items one at a time.
/// </summary>
public sealed class FixedBatchModel
{
    public const string Input = "x";
    public const string Output = "y";

    private static readonly float[] Scale = [2f, -1f, 0.5f, 3f];
    private static readonly float[] Shift = [1f, 0f, -2f, 0.25f];

    public byte[] Bytes { get; } = new OnnxGraphBuilder("fixed_batch")
        .Input(Input, OnnxDataType.Float, 1, 4)
        .Weights("scale", [4], Scale)
        .Weights("shift", [4], Shift)
        .Node("Mul", [Input, "scale"], ["scaled"])
        .Node("Add", ["scaled", "shift"], [Output])
        .Output(Output, OnnxDataType.Float, 1, 4)
        .Build();

    public float[] Evaluate(float[] x)
    {
        var y = new float[4];
        for (var i = 0; i < 4; i++)
        {
            y[i] = x[i] * Scale[i] + Shift[i];
        }

        return y;
    }

    public string WriteTo(string directory, string fileName = "fixed.onnx") =>
        TestOnnxModels.Write(directory, fileName, Bytes);
}
