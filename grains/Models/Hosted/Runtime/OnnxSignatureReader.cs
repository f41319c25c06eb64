using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// Reads a loaded session's inputs and outputs as <see cref="TensorSpec"/>s, refusing what hosting cannot feed or
/// return: anything but tensors of float, double, int32, int64 or bool.
/// </summary>
internal static class OnnxSignatureReader
{
    private const string Supported = "hosted models take and return tensors of float, double, int32, int64 or bool";

    public static ModelSignature Read(InferenceSession session)
    {
        if (session.InputNames.Count == 0)
        {
            throw new ModelArtifactException(
                "the model has no inputs; hosting runs a model on the inputs each request sends, so export it with its inputs as graph inputs (not constants)");
        }

        if (session.OutputNames.Count == 0)
        {
            throw new ModelArtifactException("the model has no outputs");
        }

        return new ModelSignature(
            Specs("input", session.InputNames, session.InputMetadata),
            Specs("output", session.OutputNames, session.OutputMetadata));
    }

    private static TensorSpec[] Specs(string role, IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var specs = new TensorSpec[names.Count];
        for (var i = 0; i < specs.Length; i++)
        {
            specs[i] = Spec(role, names[i], metadata[names[i]]);
        }

        return specs;
    }

    private static TensorSpec Spec(string role, string name, NodeMetadata metadata)
    {
        if (metadata.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new ModelArtifactException($"{role} '{name}' is {Describe(metadata)}; {Supported}{Hint(metadata)}");
        }

        var elementType = metadata.ElementDataType switch
        {
            OrtElementType.Float => TensorElementType.Float,
            OrtElementType.Double => TensorElementType.Double,
            OrtElementType.Int32 => TensorElementType.Int32,
            OrtElementType.Int64 => TensorElementType.Int64,
            OrtElementType.Bool => TensorElementType.Bool,
            OrtElementType.String => throw new ModelArtifactException(
                $"{role} '{name}' is a tensor of strings; {Supported}. Export the model after its text preprocessing: hosting tokenizes text itself with the vocabulary attached to the model"),
            var other => throw new ModelArtifactException(
                $"{role} '{name}' is a tensor of {other.ToString().ToLowerInvariant()}; {Supported}. Export it with one of those types (e.g. cast float16 to float)"),
        };

        var dimensions = new long[metadata.Dimensions.Length];
        for (var i = 0; i < dimensions.Length; i++)
        {
            // ONNX Runtime reports symbolic and unknown dimensions as -1.
            dimensions[i] = metadata.Dimensions[i] < 0 ? -1 : metadata.Dimensions[i];
        }

        return new TensorSpec(name, elementType, dimensions);
    }

    private static string Describe(NodeMetadata metadata) => metadata.OnnxValueType switch
    {
        OnnxValueType.ONNX_TYPE_SEQUENCE => metadata.AsSequenceMetadata().ElementMeta.OnnxValueType switch
        {
            OnnxValueType.ONNX_TYPE_MAP => "a sequence of maps",
            OnnxValueType.ONNX_TYPE_TENSOR => "a sequence of tensors",
            _ => "a sequence",
        },
        OnnxValueType.ONNX_TYPE_MAP => "a map",
        OnnxValueType.ONNX_TYPE_SPARSETENSOR => "a sparse tensor",
        OnnxValueType.ONNX_TYPE_OPTIONAL => "an optional value",
        var other => $"of ONNX kind {other}",
    };

    private static string Hint(NodeMetadata metadata) =>
        metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE
        && metadata.AsSequenceMetadata().ElementMeta.OnnxValueType == OnnxValueType.ONNX_TYPE_MAP
            ? ". Export classifiers with zipmap disabled (skl2onnx: options={'zipmap': False}) so probabilities come out as a tensor"
            : "";
}
