namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// The onnx.proto messages the test models need, encoded with the field numbers the ONNX specification documents
/// (onnx/onnx.proto). Only the fields these models use are written.
/// </summary>
public static class OnnxProto
{
    /// <summary>IR version 8 (ONNX 1.10+), which every ONNX Runtime of the last years reads.</summary>
    public const long IrVersion = 8;

    public const long DefaultOpset = 17;

    /// <summary>The ai.onnx.ml operator set (ZipMap and friends).</summary>
    public const string MlDomain = "ai.onnx.ml";

    /// <summary>ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.</summary>
    public static byte[] Model(ProtoMessageWriter graph, params (string Domain, long Version)[] opsets)
    {
        var model = new ProtoMessageWriter()
            .Int64(1, IrVersion)
            .String(2, "mcp-cluster-tests");
        foreach (var (domain, version) in opsets.Length == 0 ? [("", DefaultOpset)] : opsets)
        {
            // OperatorSetIdProto: domain = 1, version = 2.
            model.Message(8, new ProtoMessageWriter().String(1, domain).Int64(2, version));
        }

        return model.Message(7, graph).ToArray();
    }

    /// <summary>GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.</summary>
    public static ProtoMessageWriter Graph(
        string name,
        IEnumerable<ProtoMessageWriter> nodes,
        IEnumerable<ProtoMessageWriter> initializers,
        IEnumerable<ProtoMessageWriter> inputs,
        IEnumerable<ProtoMessageWriter> outputs)
    {
        var graph = new ProtoMessageWriter();
        foreach (var node in nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, name);
        foreach (var initializer in initializers)
        {
            graph.Message(5, initializer);
        }

        foreach (var input in inputs)
        {
            graph.Message(11, input);
        }

        foreach (var output in outputs)
        {
            graph.Message(12, output);
        }

        return graph;
    }

    /// <summary>NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.</summary>
    public static ProtoMessageWriter Node(
        string opType,
        string name,
        string[] inputs,
        string[] outputs,
        IEnumerable<ProtoMessageWriter>? attributes = null,
        string domain = "")
    {
        var node = new ProtoMessageWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, name).String(4, opType);
        foreach (var attribute in attributes ?? [])
        {
            node.Message(5, attribute);
        }

        if (domain.Length > 0)
        {
            node.String(7, domain);
        }

        return node;
    }

    /// <summary>AttributeProto with an int: name = 1, i = 3, type = 20 (INT = 2).</summary>
    public static ProtoMessageWriter IntAttribute(string name, long value) =>
        new ProtoMessageWriter().String(1, name).Int64(3, value).Int32(20, 2);

    /// <summary>AttributeProto with ints: name = 1, ints = 8, type = 20 (INTS = 7).</summary>
    public static ProtoMessageWriter IntsAttribute(string name, long[] values) =>
        new ProtoMessageWriter().String(1, name).PackedInt64s(8, values).Int32(20, 7);

    /// <summary>TensorProto with its values as raw_data: dims = 1, data_type = 2, name = 8, raw_data = 9.</summary>
    public static ProtoMessageWriter Tensor<T>(string name, OnnxDataType type, long[] dims, T[] values)
        where T : unmanaged =>
        new ProtoMessageWriter()
            .PackedInt64s(1, dims)
            .Int32(2, (int)type)
            .String(8, name)
            .RawData(9, values);

    /// <summary>
    /// A float TensorProto whose values live in another file: dims = 1, data_type = 2, name = 8, external_data = 13
    /// (StringStringEntryProto key = 1, value = 2; "location" is the file, relative to the model's folder),
    /// data_location = 14 (EXTERNAL = 1).
    /// </summary>
    public static ProtoMessageWriter ExternalTensor(string name, long[] dims, string location) =>
        new ProtoMessageWriter()
            .PackedInt64s(1, dims)
            .Int32(2, (int)OnnxDataType.Float)
            .String(8, name)
            .Message(13, new ProtoMessageWriter().String(1, "location").String(2, location))
            .Int32(14, 1);

    /// <summary>ValueInfoProto: name = 1, type = 2.</summary>
    public static ProtoMessageWriter ValueInfo(string name, ProtoMessageWriter type) =>
        new ProtoMessageWriter().String(1, name).Message(2, type);

    /// <summary>
    /// TypeProto.tensor_type (= 1): TypeProto.Tensor elem_type = 1, shape = 2; TensorShapeProto dim = 1; Dimension
    /// dim_value = 1 or dim_param = 2. A string dimension is symbolic (dynamic), a number fixed.
    /// </summary>
    public static ProtoMessageWriter TensorType(OnnxDataType elementType, params object[] dims)
    {
        var shape = new ProtoMessageWriter();
        foreach (var dim in dims)
        {
            var dimension = dim switch
            {
                string symbol => new ProtoMessageWriter().String(2, symbol),
                int value => new ProtoMessageWriter().Int64(1, value),
                long value => new ProtoMessageWriter().Int64(1, value),
                _ => throw new ArgumentException($"a dimension is a number or a symbol, not {dim.GetType().Name}"),
            };
            shape.Message(1, dimension);
        }

        var tensor = new ProtoMessageWriter().Int32(1, (int)elementType).Message(2, shape);
        return new ProtoMessageWriter().Message(1, tensor);
    }

    /// <summary>A tensor type with no shape at all (how a map's plain value type is written).</summary>
    public static ProtoMessageWriter ElementType(OnnxDataType elementType) =>
        new ProtoMessageWriter().Message(1, new ProtoMessageWriter().Int32(1, (int)elementType));

    /// <summary>TypeProto.sequence_type (= 4): TypeProto.Sequence elem_type = 1.</summary>
    public static ProtoMessageWriter SequenceType(ProtoMessageWriter elementType) =>
        new ProtoMessageWriter().Message(4, new ProtoMessageWriter().Message(1, elementType));

    /// <summary>TypeProto.map_type (= 5): TypeProto.Map key_type = 1, value_type = 2.</summary>
    public static ProtoMessageWriter MapType(OnnxDataType keyType, ProtoMessageWriter valueType) =>
        new ProtoMessageWriter().Message(5, new ProtoMessageWriter().Int32(1, (int)keyType).Message(2, valueType));
}
