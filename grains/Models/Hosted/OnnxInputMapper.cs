using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Hosted.Runtime;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Turns one <c>/predict</c> input into the tensors of a hosted model's ONNX signature (batch dimension left out).
/// Accepted shapes, tried in this order:
/// <list type="bullet">
/// <item><b>Text</b> (<see cref="IsTextModel"/>: the model has an <c>input_ids</c> input, its inputs are among
/// <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>, and a <see cref="TextEncoder"/> is given):
/// <c>{"text": "..."}</c> or a bare string; the text is tokenized to at most <c>maxLength</c> tokens (or the fixed
/// sequence length the model declares, padded to it).</item>
/// <item><b>Tabular</b> (a model with exactly one input): <c>{"features": [numbers]}</c>, flat, as many numbers as the
/// input holds per item; a dynamic dimension takes what is given.</item>
/// <item><b>Named tensors</b> (any model): <c>{"&lt;input name&gt;": nested arrays, ...}</c>, one property per input,
/// rectangular, matching the fixed dimensions; integers for integer inputs, <c>true</c>/<c>false</c> or 0/1 for
/// boolean ones; a 0-d input is a bare number.</item>
/// </list>
/// Every problem is a <see cref="PredictionInputException"/> naming the field (<c>features[3]</c>, <c>x[0][2]</c>) so
/// the gateway answers 400 with the batch index.
/// </summary>
public sealed class OnnxInputMapper
{
    public const int DefaultMaxElements = 1_000_000;
    public const int DefaultMaxLength = 128;

    private static readonly string[] TextInputs = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly ModelSignature _signature;
    private readonly TextEncoder? _encoder;
    private readonly int _maxLength;
    private readonly int _maxElements;
    private readonly string _inputList;

    /// <param name="maxLength">Most tokens a text becomes, [CLS] and [SEP] included (the config's <c>max_length</c>).</param>
    /// <param name="maxElements">
    /// Most numbers one item may carry over all its tensors, so a hostile caller cannot make the host allocate without
    /// bound (the request body limit bounds the JSON, not a dynamic dimension's size).
    /// </param>
    public OnnxInputMapper(ModelSignature signature, TextEncoder? encoder = null, int maxLength = DefaultMaxLength, int maxElements = DefaultMaxElements)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElements, 1);
        if (signature.Inputs.Length == 0)
        {
            throw new ArgumentException("The model has no inputs.", nameof(signature));
        }
        _signature = signature;
        _maxLength = maxLength;
        _maxElements = maxElements;
        _inputList = string.Join(", ", signature.Inputs.Select(i => i.Name));
        IsTextModel = encoder is not null && IsTextSignature(signature);
        _encoder = IsTextModel ? encoder : null;
    }

    /// <summary>Inputs are texts (<c>{"text": ...}</c>), tokenized by the model's vocabulary.</summary>
    public bool IsTextModel { get; }

    /// <summary>A signature a text can fill: <c>input_ids</c> plus optionally a mask and token types, integer, one sequence per item.</summary>
    public static bool IsTextSignature(ModelSignature signature) =>
        signature.Inputs.Any(i => i.Name == "input_ids")
        && signature.Inputs.All(i => TextInputs.Contains(i.Name) && i.Dimensions.Length == 2 && i.Dimensions[1] is < 0 or >= 2
            && i.ElementType is TensorElementType.Int64 or TensorElementType.Int32);

    /// <summary>Maps one input; <paramref name="index"/> is its place in a batch (null for a single input), carried into errors.</summary>
    /// <exception cref="PredictionInputException">The input does not fit the model.</exception>
    public TensorItem Map(JsonNode? input, int? index) => Map(input, index, out _);

    /// <inheritdoc cref="Map(JsonNode?, int?)"/>
    /// <param name="tokens">Tokens of the text (for usage), 0 for an input that is not text.</param>
    public TensorItem Map(JsonNode? input, int? index, out int tokens)
    {
        tokens = 0;
        if (IsTextModel && input is JsonValue bare && bare.GetValueKind() == JsonValueKind.String)
        {
            return MapText(bare.GetValue<string>(), index, "text", out tokens);
        }
        if (input is not JsonObject obj)
        {
            throw Fail(IsTextModel ? "The input must be an object with a 'text' string" : "The input must be an object", null, index);
        }
        if (IsTextModel && obj.ContainsKey("text"))
        {
            if (obj["text"] is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
            {
                throw Fail("Field 'text' must be a string", "text", index);
            }
            return MapText(text.GetValue<string>(), index, "text", out tokens);
        }
        if (_signature.Inputs.Length == 1 && obj.ContainsKey("features") && _signature.Inputs[0].Name != "features")
        {
            return new TensorItem([MapFeatures(_signature.Inputs[0], obj["features"], index)]);
        }
        if (!_signature.Inputs.Any(i => obj.ContainsKey(i.Name)))
        {
            var expected = IsTextModel ? "text" : _signature.Inputs.Length == 1 ? "features" : _signature.Inputs[0].Name;
            throw Fail($"Required field '{expected}' is missing ({Accepts()})", expected, index);
        }
        return MapNamed(obj, index);
    }

    /// <summary>Maps a text (from <c>/v1/embeddings</c> or a classification call, which carry strings, not JSON inputs).</summary>
    /// <exception cref="InvalidOperationException">The model is not a text model.</exception>
    public TensorItem MapText(string text, int? index, out int tokens) => MapText(text, index, "input", out tokens);

    private TensorItem MapText(string text, int? index, string field, out int tokens)
    {
        if (_encoder is null)
        {
            throw new InvalidOperationException("The model does not take text (no input_ids input or no vocabulary).");
        }
        if (text.Length == 0)
        {
            throw Fail($"Field '{field}' must be a non-empty string", field, index);
        }
        var ids = _signature.Inputs.First(i => i.Name == "input_ids");
        var fixedLength = ids.Dimensions[1];
        var encoding = _encoder.Encode(text, fixedLength > 0 ? (int)Math.Min(fixedLength, _maxLength) : _maxLength);
        tokens = encoding.TokenCount;
        // A model exported with a fixed sequence length gets it: ids padded with [PAD], mask and types with 0.
        var length = fixedLength > 0 ? (int)fixedLength : encoding.TokenCount;
        var tensors = _signature.Inputs.Select(input => new NamedTensor(input.Name, [length], Longs: input.Name switch
        {
            "input_ids" => Pad(encoding.InputIds, length, _encoder.PaddingId),
            "attention_mask" => Pad(encoding.AttentionMask, length, 0),
            _ => Pad(encoding.TokenTypeIds, length, 0),
        })).ToArray();
        return new TensorItem(tensors);
    }

    private static long[] Pad(long[] values, int length, long with)
    {
        if (values.Length == length)
        {
            return values;
        }
        var padded = new long[length];
        Array.Copy(values, padded, Math.Min(values.Length, length));
        Array.Fill(padded, with, values.Length, Math.Max(0, length - values.Length));
        return padded;
    }

    private NamedTensor MapFeatures(TensorSpec spec, JsonNode? node, int? index)
    {
        if (node is not JsonArray array)
        {
            throw Fail("Field 'features' must be an array of numbers", "features", index);
        }
        var perItem = spec.Dimensions.Skip(1).ToArray();
        var dynamic = perItem.Count(d => d < 0);
        var fixedProduct = perItem.Where(d => d >= 0).Aggregate(1L, (a, d) => a * d);
        long[] dims;
        if (dynamic == 0)
        {
            if (array.Count != fixedProduct)
            {
                throw Fail($"Field 'features' must have exactly {fixedProduct} numbers (the model's input '{spec.Name}' is {Shape(perItem)} per item); got {array.Count}",
                    "features", index);
            }
            dims = perItem;
        }
        else if (dynamic == 1 && fixedProduct > 0)
        {
            if (array.Count == 0 || array.Count % fixedProduct != 0)
            {
                throw Fail($"Field 'features' must have a non-zero multiple of {fixedProduct} numbers (the model's input '{spec.Name}' is {Shape(perItem)} per item); got {array.Count}",
                    "features", index);
            }
            dims = perItem.Select(d => d < 0 ? array.Count / fixedProduct : d).ToArray();
        }
        else
        {
            throw Fail($"The model's input '{spec.Name}' is {Shape(perItem)} per item, which a flat 'features' list cannot fill; send it by name as nested arrays",
                "features", index);
        }
        if (array.Count > _maxElements)
        {
            throw Fail($"Field 'features' has {array.Count} numbers; at most {_maxElements} are allowed per input", "features", index);
        }
        var values = new Values(spec.ElementType, array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            values.Set(i, array[i], $"features[{i}]", index);
        }
        return values.ToTensor(spec.Name, dims);
    }

    private TensorItem MapNamed(JsonObject obj, int? index)
    {
        foreach (var (name, _) in obj)
        {
            if (!_signature.Inputs.Any(i => i.Name == name))
            {
                throw Fail($"Field '{name}' is not an input of the model ({Accepts()})", name, index);
            }
        }
        var tensors = new NamedTensor[_signature.Inputs.Length];
        long budget = _maxElements;
        for (var t = 0; t < tensors.Length; t++)
        {
            var spec = _signature.Inputs[t];
            if (!obj.TryGetPropertyValue(spec.Name, out var node))
            {
                throw Fail($"Required field '{spec.Name}' is missing ({Accepts()})", spec.Name, index);
            }
            var perItem = spec.Dimensions.Skip(1).ToArray();
            var shape = ShapeOf(node, perItem, spec, index);
            var count = Product(shape, _maxElements + 1L);
            budget -= count;
            if (budget < 0)
            {
                throw Fail($"The input has more than {_maxElements} numbers; at most {_maxElements} are allowed per input", spec.Name, index);
            }
            var values = new Values(spec.ElementType, (int)count);
            var position = 0;
            Fill(node, spec.Name, 0, shape, values, ref position, index);
            tensors[t] = values.ToTensor(spec.Name, shape);
        }
        return new TensorItem(tensors);
    }

    /// <summary>
    /// The shape of nested arrays, checked against the declared per-item dimensions before anything is allocated; the
    /// walk stops at the first ragged or wrongly sized level.
    /// </summary>
    private long[] ShapeOf(JsonNode? node, long[] declared, TensorSpec spec, int? index)
    {
        var shape = new long[declared.Length];
        var current = node;
        var path = spec.Name;
        for (var level = 0; level < declared.Length; level++)
        {
            if (current is not JsonArray array)
            {
                throw Fail($"Field '{path}' must be an array (the model's input '{spec.Name}' is {Shape(declared)} per item)", path, index);
            }
            if (declared[level] >= 0 && array.Count != declared[level])
            {
                throw Fail($"Field '{path}' must have {declared[level]} items (the model's input '{spec.Name}' is {Shape(declared)} per item); got {array.Count}", path, index);
            }
            shape[level] = array.Count;
            if (array.Count == 0)
            {
                // Nothing below to look at: an empty dynamic dimension makes the tensor empty.
                for (var rest = level + 1; rest < declared.Length; rest++)
                {
                    shape[rest] = Math.Max(0, declared[rest]);
                }
                break;
            }
            current = array[0];
            path += "[0]";
        }
        return shape;
    }

    private static void Fill(JsonNode? node, string path, int level, long[] shape, Values values, ref int position, int? index)
    {
        if (level == shape.Length)
        {
            values.Set(position++, node, path, index);
            return;
        }
        // Every level is checked against the shape taken from the first elements, so ragged arrays are refused.
        var expected = shape[level];
        if (node is not JsonArray array || array.Count != expected)
        {
            throw Fail($"Field '{path}' must be an array of {expected} items (nested arrays must be rectangular)", path, index);
        }
        for (var i = 0; i < array.Count; i++)
        {
            Fill(array[i], $"{path}[{i}]", level + 1, shape, values, ref position, index);
        }
    }

    /// <summary>The product of <paramref name="dims"/>, or <paramref name="cap"/> if it reaches that (a few long dimensions overflow a long).</summary>
    private static long Product(long[] dims, long cap)
    {
        if (dims.Contains(0))
        {
            return 0;
        }
        long product = 1;
        foreach (var d in dims)
        {
            if (product > cap / d)
            {
                return cap;
            }
            product *= d;
        }
        return Math.Min(product, cap);
    }

    private string Accepts() => IsTextModel
        ? $"send {{\"text\": \"...\"}} or the model's inputs by name: {_inputList}"
        : _signature.Inputs.Length == 1
            ? $"send {{\"features\": [numbers]}} or the model's input by name: {_inputList}"
            : $"the model's inputs: {_inputList}";

    private static string Shape(IEnumerable<long> dims) => "[" + string.Join(", ", dims.Select(d => d < 0 ? "any" : d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static PredictionInputException Fail(string message, string? field, int? index) => new(message, field) { Index = index };

    /// <summary>The flat values of one tensor as they are read, in the array the element type travels in.</summary>
    private sealed class Values(TensorElementType type, int count)
    {
        private readonly float[]? _floats = type is TensorElementType.Float or TensorElementType.Double ? new float[count] : null;
        private readonly long[]? _longs = type is TensorElementType.Float or TensorElementType.Double ? null : new long[count];
        public void Set(int i, JsonNode? node, string path, int? index)
        {
            if (type == TensorElementType.Bool && node is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                _longs![i] = b.GetValue<bool>() ? 1 : 0;
                return;
            }
            if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
            {
                throw Fail(type == TensorElementType.Bool ? $"Field '{path}' must be true, false, 0 or 1" : $"Field '{path}' must be a number", path, index);
            }
            if (!TryGetDouble(value, out var number))
            {
                throw Fail($"Field '{path}' is outside the range of a 64-bit float", path, index);
            }
            switch (type)
            {
                case TensorElementType.Float or TensorElementType.Double:
                    if (double.IsInfinity(number) || Math.Abs(number) > float.MaxValue)
                    {
                        throw Fail($"Field '{path}' is outside the range of a 32-bit float", path, index);
                    }
                    _floats![i] = (float)number;
                    return;
                case TensorElementType.Bool:
                    if (number is not (0 or 1))
                    {
                        throw Fail($"Field '{path}' must be true, false, 0 or 1", path, index);
                    }
                    _longs![i] = (long)number;
                    return;
                default:
                    var (min, max, kind) = type == TensorElementType.Int32
                        ? ((double)int.MinValue, (double)int.MaxValue, "32-bit")
                        : ((double)long.MinValue, (double)long.MaxValue, "64-bit");
                    if (value.TryGetValue<long>(out var exact) && exact >= min && exact <= max)
                    {
                        _longs![i] = exact;
                        return;
                    }
                    if (number != Math.Floor(number))
                    {
                        throw Fail($"Field '{path}' must be an integer", path, index);
                    }
                    if (number < min || number >= max)
                    {
                        throw Fail($"Field '{path}' is outside the range of a {kind} integer", path, index);
                    }
                    _longs![i] = (long)number;
                    return;
            }
        }

        public NamedTensor ToTensor(string name, long[] dims) => new(name, dims, _floats, _longs);

        /// <summary>Parsed documents hold <see cref="JsonElement"/>s; nodes built in code hold CLR numbers.</summary>
        private static bool TryGetDouble(JsonValue value, out double number)
        {
            if (value.TryGetValue<JsonElement>(out var element))
            {
                return element.TryGetDouble(out number) && double.IsFinite(number);
            }
            if (value.TryGetValue(out number))
            {
                return double.IsFinite(number);
            }
            if (value.TryGetValue<float>(out var single))
            {
                number = single;
                return float.IsFinite(single);
            }
            if (value.TryGetValue<long>(out var whole))
            {
                number = whole;
                return true;
            }
            if (value.TryGetValue<int>(out var small))
            {
                number = small;
                return true;
            }
            if (value.TryGetValue<decimal>(out var exact))
            {
                number = (double)exact;
                return true;
            }
            return false;
        }
    }
}
