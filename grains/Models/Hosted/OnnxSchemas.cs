using System.Text.Json.Nodes;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// The input and output schemas a hosted model gets when its registration names none, derived from its ONNX
/// signature: the shapes <see cref="OnnxInputMapper"/> accepts and <see cref="OnnxOutputMapper"/> writes. Like
/// <see cref="TaskSchemas"/> they carry no <c>$schema</c> and use only keywords that mean the same in draft 7 and
/// 2020-12.
/// </summary>
public static class OnnxSchemas
{
    /// <summary>
    /// Text models: <c>{"text": string}</c>. One input a flat list can fill: <c>{"features": [numbers]}</c>, exactly as
    /// many as the input holds per item when its size is fixed (integers for integer inputs, booleans or 0/1 for
    /// boolean ones). Otherwise one required property per input, nested arrays with each fixed dimension's length.
    /// No other properties are allowed.
    /// </summary>
    /// <param name="textModel">The mapper's <see cref="OnnxInputMapper.IsTextModel"/>: inputs are <c>{"text": ...}</c>.</param>
    public static string InputSchemaFor(ModelSignature signature, bool textModel)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (textModel)
        {
            return new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["text"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 } },
                ["required"] = new JsonArray("text"),
                ["additionalProperties"] = false,
            }.ToJsonString();
        }
        var properties = new JsonObject();
        foreach (var input in signature.Inputs)
        {
            properties[input.Name] = Nested(input.ElementType, input.Dimensions.Skip(1).ToArray(), nullable: false);
        }
        if (signature.Inputs is [var single] && single.Name != "features" && Features(single) is { } features)
        {
            // One input: the schema asks for the documented {"features": [...]} only. The mapper also takes the input by
            // name, but a schema allowing either ("oneOf", "if"/"else") reports a short features list as the other
            // branch's missing name.
            return new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["features"] = features },
                ["required"] = new JsonArray("features"),
                ["additionalProperties"] = false,
            }.ToJsonString();
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray(signature.Inputs.Select(i => (JsonNode?)i.Name).ToArray()),
            ["additionalProperties"] = false,
        }.ToJsonString();
    }

    /// <summary>
    /// One property per output (nested arrays; floats may be <c>null</c> for NaN), plus <c>label</c> and <c>scores</c>
    /// when <paramref name="labels"/> are given, else <c>prediction</c>. Nothing is required: the schema documents, it
    /// does not police the model.
    /// </summary>
    public static string OutputSchemaFor(ModelSignature signature, IReadOnlyList<string>? labels)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var properties = new JsonObject();
        foreach (var output in signature.Outputs)
        {
            properties[output.Name] = Nested(output.ElementType, output.Dimensions.Skip(1).ToArray(), nullable: true);
        }
        if (labels is { Count: > 0 })
        {
            properties.TryAdd("label", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(labels.Distinct().Select(l => (JsonNode?)l).ToArray()) });
            properties.TryAdd("scores", new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = new JsonArray("number", "null") } });
        }
        else
        {
            properties.TryAdd("prediction", new JsonObject { ["type"] = "integer", ["minimum"] = 0 });
        }
        return new JsonObject { ["type"] = "object", ["properties"] = properties }.ToJsonString();
    }

    /// <summary>The flat <c>features</c> list for a single input; null when a flat list cannot fill it (two dynamic dimensions).</summary>
    private static JsonObject? Features(TensorSpec input)
    {
        var perItem = input.Dimensions.Skip(1).ToArray();
        var dynamic = perItem.Count(d => d < 0);
        if (dynamic > 1)
        {
            return null;
        }
        var features = new JsonObject { ["type"] = "array", ["items"] = Leaf(input.ElementType, nullable: false) };
        var size = perItem.Where(d => d >= 0).Aggregate(1L, (a, d) => a * d);
        if (dynamic == 0)
        {
            features["minItems"] = size;
            features["maxItems"] = size;
        }
        else
        {
            features["minItems"] = 1;
        }
        return features;
    }

    private static JsonNode Nested(TensorElementType type, long[] dims, bool nullable)
    {
        JsonNode schema = Leaf(type, nullable);
        for (var level = dims.Length - 1; level >= 0; level--)
        {
            var array = new JsonObject { ["type"] = "array", ["items"] = schema };
            if (dims[level] >= 0)
            {
                array["minItems"] = dims[level];
                array["maxItems"] = dims[level];
            }
            schema = array;
        }
        return schema;
    }

    private static JsonObject Leaf(TensorElementType type, bool nullable) => type switch
    {
        TensorElementType.Float or TensorElementType.Double => new JsonObject { ["type"] = nullable ? new JsonArray("number", "null") : "number" },
        TensorElementType.Bool => nullable
            ? new JsonObject { ["type"] = "boolean" }
            : new JsonObject { ["type"] = new JsonArray("boolean", "integer"), ["minimum"] = 0, ["maximum"] = 1 },
        _ => new JsonObject { ["type"] = "integer" },
    };
}
