namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>Valid ONNX models whose inputs or outputs a hosted model may not have.</summary>
public static class UnsupportedTypeModels
{
    /// <summary>Input text: string [batch, 1], passed through by Identity. ONNX Runtime loads it; hosting refuses it.</summary>
    public static byte[] StringInput() => new OnnxGraphBuilder("string_input")
        .Input("text", OnnxDataType.String, "batch", 1)
        .Node("Identity", ["text"], ["echo"])
        .Output("echo", OnnxDataType.String, "batch", 1)
        .Build();

    /// <summary>
    /// A classifier exported with ZipMap left on (the scikit-learn converter's default): probabilities come out as a
    /// sequence of maps from class label to probability instead of a tensor.
    /// </summary>
    public static byte[] SequenceOfMapsOutput() => new OnnxGraphBuilder("zipmap_classifier")
        .Opset(OnnxProto.MlDomain, 1)
        .Input("scores", OnnxDataType.Float, "batch", 3)
        .Node("ZipMap", ["scores"], ["probabilities"], [OnnxProto.IntsAttribute("classlabels_int64s", [0, 1, 2])],
            OnnxProto.MlDomain)
        .Output("probabilities",
            OnnxProto.SequenceType(OnnxProto.MapType(OnnxDataType.Int64, OnnxProto.ElementType(OnnxDataType.Float))))
        .Build();

    /// <summary>A float16 input: a tensor, but of an element type hosting does not convert to.</summary>
    public static byte[] Float16Input() => new OnnxGraphBuilder("float16_input")
        .Input("half", OnnxDataType.Float16, "batch", 2)
        .Node("Cast", ["half"], ["single"], [OnnxProto.IntAttribute("to", (long)OnnxDataType.Float)])
        .Output("single", OnnxDataType.Float, "batch", 2)
        .Build();

    /// <summary>A model with no graph inputs: its output is a constant (an initializer passed through Identity).</summary>
    public static byte[] NoInputs() => new OnnxGraphBuilder("no_inputs")
        .Weights("constant", [2], [1f, 2f])
        .Node("Identity", ["constant"], ["value"])
        .Output("value", OnnxDataType.Float, 2)
        .Build();
}
