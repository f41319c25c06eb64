namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>Collects a graph's inputs, weights, nodes and outputs, then writes the ONNX model bytes.</summary>
public sealed class OnnxGraphBuilder(string name)
{
    private readonly List<ProtoMessageWriter> inputs = [];
    private readonly List<ProtoMessageWriter> outputs = [];
    private readonly List<ProtoMessageWriter> initializers = [];
    private readonly List<ProtoMessageWriter> nodes = [];
    private readonly List<(string Domain, long Version)> opsets = [("", OnnxProto.DefaultOpset)];

    /// <summary>A graph input; dims are numbers (fixed) or strings (symbolic, e.g. "batch").</summary>
    public OnnxGraphBuilder Input(string input, OnnxDataType type, params object[] dims)
    {
        inputs.Add(OnnxProto.ValueInfo(input, OnnxProto.TensorType(type, dims)));
        return this;
    }

    public OnnxGraphBuilder Input(string input, ProtoMessageWriter type)
    {
        inputs.Add(OnnxProto.ValueInfo(input, type));
        return this;
    }

    public OnnxGraphBuilder Output(string output, OnnxDataType type, params object[] dims)
    {
        outputs.Add(OnnxProto.ValueInfo(output, OnnxProto.TensorType(type, dims)));
        return this;
    }

    public OnnxGraphBuilder Output(string output, ProtoMessageWriter type)
    {
        outputs.Add(OnnxProto.ValueInfo(output, type));
        return this;
    }

    public OnnxGraphBuilder Weights(string weights, long[] dims, float[] values)
    {
        initializers.Add(OnnxProto.Tensor(weights, OnnxDataType.Float, dims, values));
        return this;
    }

    /// <summary>Float weights read from another file at load (ONNX external data), <paramref name="location"/> relative to the model.</summary>
    public OnnxGraphBuilder ExternalWeights(string weights, long[] dims, string location)
    {
        initializers.Add(OnnxProto.ExternalTensor(weights, dims, location));
        return this;
    }

    public OnnxGraphBuilder Weights(string weights, long[] dims, long[] values)
    {
        initializers.Add(OnnxProto.Tensor(weights, OnnxDataType.Int64, dims, values));
        return this;
    }

    public OnnxGraphBuilder Node(
        string opType,
        string[] nodeInputs,
        string[] nodeOutputs,
        IEnumerable<ProtoMessageWriter>? attributes = null,
        string domain = "")
    {
        nodes.Add(OnnxProto.Node(opType, $"{opType}_{nodes.Count}", nodeInputs, nodeOutputs, attributes, domain));
        return this;
    }

    public OnnxGraphBuilder Opset(string domain, long version)
    {
        opsets.Add((domain, version));
        return this;
    }

    public byte[] Build() =>
        OnnxProto.Model(OnnxProto.Graph(name, nodes, initializers, inputs, outputs), [.. opsets]);
}
