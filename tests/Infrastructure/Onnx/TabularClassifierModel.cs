namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// A small tabular classifier: features [batch, F] → MatMul+Add → Relu → MatMul+Add → Softmax = probabilities
/// [batch, C], and label [batch] = ArgMax (keepdims 0). <see cref="Evaluate"/> computes the same math with plain loops,
/// independently of ONNX Runtime.
/// </summary>
public sealed class TabularClassifierModel
{
    public const string FeaturesInput = "features";
    public const string ProbabilitiesOutput = "probabilities";
    public const string LabelOutput = "label";

    private readonly float[] hiddenWeights;
    private readonly float[] hiddenBias;
    private readonly float[] outputWeights;
    private readonly float[] outputBias;

    public TabularClassifierModel(int seed, int features, int hidden, int classes)
    {
        Features = features;
        Hidden = hidden;
        Classes = classes;
        var random = new Random(seed);
        hiddenWeights = SeededWeights.Uniform(random, features * hidden);
        hiddenBias = SeededWeights.Uniform(random, hidden, 0.5f);
        outputWeights = SeededWeights.Uniform(random, hidden * classes);
        outputBias = SeededWeights.Uniform(random, classes, 0.5f);
        Bytes = new OnnxGraphBuilder("tabular_classifier")
            .Input(FeaturesInput, OnnxDataType.Float, "batch", features)
            .Weights("W1", [features, hidden], hiddenWeights)
            .Weights("B1", [hidden], hiddenBias)
            .Weights("W2", [hidden, classes], outputWeights)
            .Weights("B2", [classes], outputBias)
            .Node("MatMul", [FeaturesInput, "W1"], ["h_mm"])
            .Node("Add", ["h_mm", "B1"], ["h_pre"])
            .Node("Relu", ["h_pre"], ["h"])
            .Node("MatMul", ["h", "W2"], ["logits_mm"])
            .Node("Add", ["logits_mm", "B2"], ["logits"])
            .Node("Softmax", ["logits"], [ProbabilitiesOutput], [OnnxProto.IntAttribute("axis", -1)])
            .Node("ArgMax", [ProbabilitiesOutput], [LabelOutput],
                [OnnxProto.IntAttribute("axis", 1), OnnxProto.IntAttribute("keepdims", 0)])
            .Output(ProbabilitiesOutput, OnnxDataType.Float, "batch", classes)
            .Output(LabelOutput, OnnxDataType.Int64, "batch")
            .Build();
    }

    public int Features { get; }

    public int Hidden { get; }

    public int Classes { get; }

    public byte[] Bytes { get; }

    /// <summary>The class probabilities for one row of features.</summary>
    public float[] Evaluate(float[] features)
    {
        if (features.Length != Features)
        {
            throw new ArgumentException($"expected {Features} features, got {features.Length}");
        }

        var hidden = new double[Hidden];
        for (var h = 0; h < Hidden; h++)
        {
            double sum = hiddenBias[h];
            for (var f = 0; f < Features; f++)
            {
                sum += features[f] * (double)hiddenWeights[f * Hidden + h];
            }

            hidden[h] = Math.Max(0, sum);
        }

        var logits = new double[Classes];
        var max = double.NegativeInfinity;
        for (var c = 0; c < Classes; c++)
        {
            double sum = outputBias[c];
            for (var h = 0; h < Hidden; h++)
            {
                sum += hidden[h] * outputWeights[h * Classes + c];
            }

            logits[c] = sum;
            max = Math.Max(max, sum);
        }

        var total = 0.0;
        for (var c = 0; c < Classes; c++)
        {
            logits[c] = Math.Exp(logits[c] - max);
            total += logits[c];
        }

        var probabilities = new float[Classes];
        for (var c = 0; c < Classes; c++)
        {
            probabilities[c] = (float)(logits[c] / total);
        }

        return probabilities;
    }

    /// <summary>The index of the largest probability (the first on a tie, as ArgMax does).</summary>
    public long Label(float[] features)
    {
        var probabilities = Evaluate(features);
        var best = 0;
        for (var c = 1; c < probabilities.Length; c++)
        {
            if (probabilities[c] > probabilities[best])
            {
                best = c;
            }
        }

        return best;
    }

    public string WriteTo(string directory, string fileName = "classifier.onnx") =>
        TestOnnxModels.Write(directory, fileName, Bytes);
}
