using System.Globalization;
using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Turns one item's output tensors of a hosted model into what callers get back.
/// <para><b>Predict</b> (<see cref="ToPrediction"/>): an object with one property per output, the item's tensor as
/// nested arrays (a bare value for a 0-d output); floats rounded to 6 significant digits, NaN and infinities as
/// <c>null</c> (JSON has no such numbers), integers as integers, booleans as <c>true</c>/<c>false</c>. Then:</para>
/// <list type="bullet">
/// <item>With <c>labels</c> configured: <c>"label"</c>, the label at the argmax of the <i>score output</i>, and
/// <c>"scores"</c>, <c>{label: value}</c> with the output's values as the model gives them (probabilities or logits,
/// no softmax applied). The score output is the first float output whose last dimension is the number of labels.</item>
/// <item>Without labels: <c>"prediction"</c>, the argmax index (an integer), when there is a score output: the first
/// float output named <c>probabilities</c>, <c>probability</c>, <c>probs</c>, <c>scores</c>, <c>score</c> or
/// <c>logits</c> (any case) holding at least 2 values, else the only float output when it is 1-D per item with at
/// least 2 values. A regression output (one value) gets no <c>prediction</c>: its value is the answer.</item>
/// </list>
/// The added names never replace an output of the same name.
/// <para><b>Embedding</b> (<see cref="ToEmbedding"/>): the pooled vector. <b>Classification</b>
/// (<see cref="ToClassification"/>): the labels' probabilities: the score output's values when they already are
/// probabilities (all in [0, 1], summing to 1 within 0.001), else their softmax.</para>
/// </summary>
public sealed class OnnxOutputMapper
{
    private static readonly string[] ScoreNames = ["probabilities", "probability", "probs", "scores", "score", "logits"];

    private readonly ModelSignature _signature;
    private readonly IReadOnlyList<string>? _labels;
    private readonly string? _scoreOutput;
    private readonly string? _embeddingOutput;

    /// <param name="labels">The model config's class labels, in the order of the score output's last dimension.</param>
    /// <param name="embeddingOutput">The output holding the (pooled) sentence vector; the first float output when null.</param>
    /// <exception cref="ArgumentException">Labels are given but no float output has that many values per item.</exception>
    public OnnxOutputMapper(ModelSignature signature, IReadOnlyList<string>? labels = null, string? embeddingOutput = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        _signature = signature;
        _labels = labels is { Count: > 0 } ? labels : null;
        var floats = signature.Outputs.Where(o => o.ElementType is TensorElementType.Float or TensorElementType.Double).ToArray();
        if (_labels is not null)
        {
            _scoreOutput = floats.FirstOrDefault(o => o.Dimensions.Length >= 2 && o.Dimensions[^1] == _labels.Count)?.Name
                ?? floats.FirstOrDefault(o => o.Dimensions.Length >= 2 && o.Dimensions[^1] < 0)?.Name
                ?? throw new ArgumentException(
                    $"{_labels.Count} labels are configured but no float output of the model has {_labels.Count} values per item (outputs: {Describe(signature.Outputs)}).",
                    nameof(labels));
        }
        else
        {
            _scoreOutput = floats.FirstOrDefault(o => ScoreNames.Contains(o.Name, StringComparer.OrdinalIgnoreCase))?.Name
                ?? (floats.Length == 1 && floats[0].Dimensions.Length == 2 && floats[0].Dimensions[1] is < 0 or >= 2 ? floats[0].Name : null);
        }
        _embeddingOutput = embeddingOutput ?? floats.FirstOrDefault()?.Name;
    }

    /// <summary>The output read for labels, <c>prediction</c> and classification; null when the model has none.</summary>
    public string? ScoreOutput => _scoreOutput;

    /// <summary>The <c>/predict</c> answer for one item (see the class summary for its shape).</summary>
    /// <exception cref="InvalidDataException">The session returned a tensor that disagrees with the labels.</exception>
    public JsonObject ToPrediction(TensorItem output)
    {
        var result = new JsonObject();
        foreach (var tensor in output.Tensors)
        {
            var type = _signature.Outputs.FirstOrDefault(o => o.Name == tensor.Name)?.ElementType
                ?? (tensor.Floats is not null ? TensorElementType.Float : TensorElementType.Int64);
            result[tensor.Name] = Nest(tensor, type);
        }
        if (Scores(output) is not { } scores)
        {
            return result;
        }
        var best = ArgMax(scores);
        if (_labels is not null)
        {
            result.TryAdd("label", _labels[best]);
            result.TryAdd("scores", new JsonObject(_labels.Select((label, i) => KeyValuePair.Create(label, Number(scores[i])))));
        }
        else if (scores.Length >= 2)
        {
            result.TryAdd("prediction", best);
        }
        return result;
    }

    /// <summary>The sentence vector of one item: the embedding output, which the session has already pooled.</summary>
    /// <exception cref="InvalidDataException">The output is missing or still has a token dimension.</exception>
    public float[] ToEmbedding(TensorItem output)
    {
        var tensor = output.Tensors.FirstOrDefault(t => t.Name == _embeddingOutput)
            ?? throw new InvalidDataException($"The model returned no '{_embeddingOutput ?? "float"}' output to embed with.");
        // [dims] or [1, dims]: anything with more than one vector per item was not pooled.
        if (tensor.Floats is not { } floats || tensor.Dimensions.Length == 0 || floats.Length != tensor.Dimensions[^1])
        {
            throw new InvalidDataException(
                $"The model's output '{tensor.Name}' is {Shape(tensor.Dimensions)} per item, not one vector; configure pooling for it.");
        }
        return floats;
    }

    /// <summary>The label, its probability and every label's probability, as <see cref="ModelTaskRunner"/> answers classifications.</summary>
    /// <exception cref="InvalidOperationException">No labels are configured.</exception>
    /// <exception cref="InvalidDataException">The session returned a tensor that disagrees with the labels.</exception>
    public ClassificationResult ToClassification(TensorItem output)
    {
        if (_labels is null)
        {
            throw new InvalidOperationException("Classification needs the model's labels.");
        }
        var scores = Scores(output) ?? throw new InvalidDataException($"The model returned no '{_scoreOutput}' output.");
        var probabilities = Probabilities(scores);
        var best = ArgMax(probabilities);
        return new ClassificationResult(_labels[best], probabilities[best],
            _labels.Select((label, i) => KeyValuePair.Create(label, probabilities[i])).ToDictionary());
    }

    private float[]? Scores(TensorItem output)
    {
        if (_scoreOutput is null || output.Tensors.FirstOrDefault(t => t.Name == _scoreOutput) is not { Floats: { } floats } tensor)
        {
            return null;
        }
        if (_labels is not null && (floats.Length != _labels.Count || tensor.Dimensions.Length == 0 || tensor.Dimensions[^1] != _labels.Count))
        {
            throw new InvalidDataException(
                $"The model's output '{tensor.Name}' is {Shape(tensor.Dimensions)} per item but {_labels.Count} labels are configured.");
        }
        return floats;
    }

    private static double[] Probabilities(float[] scores)
    {
        var values = scores.Select(s => (double)s).ToArray();
        if (values.All(v => v is >= 0 and <= 1) && Math.Abs(values.Sum() - 1) <= 1e-3)
        {
            return values;
        }
        // Softmax, shifted by the maximum so large logits do not overflow.
        var max = values.Max();
        var exps = values.Select(v => Math.Exp(v - max)).ToArray();
        var sum = exps.Sum();
        return exps.Select(e => e / sum).ToArray();
    }

    private static int ArgMax(IReadOnlyList<float> values) => ArgMax(values.Select(v => (double)v).ToArray());

    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            // NaN never wins.
            if (values[i] > values[best] || double.IsNaN(values[best]))
            {
                best = i;
            }
        }
        return best;
    }

    private static JsonNode? Nest(NamedTensor tensor, TensorElementType type)
    {
        var position = 0;
        return Nest(tensor, type, 0, ref position);
    }

    private static JsonNode? Nest(NamedTensor tensor, TensorElementType type, int level, ref int position)
    {
        if (level == tensor.Dimensions.Length)
        {
            var i = position++;
            return type switch
            {
                TensorElementType.Float or TensorElementType.Double => Number(tensor.Floats is { } f && i < f.Length ? f[i] : float.NaN),
                TensorElementType.Bool => tensor.Longs is { } b && i < b.Length ? b[i] != 0 : null,
                _ => tensor.Longs is { } l && i < l.Length ? l[i] : null,
            };
        }
        var array = new JsonArray();
        for (var j = 0; j < tensor.Dimensions[level]; j++)
        {
            array.Add(Nest(tensor, type, level + 1, ref position));
        }
        return array;
    }

    /// <summary>6 significant digits, printed as short as they read ("0.1", not "0.10000000149011612").</summary>
    private static JsonNode? Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(double.Parse(value.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)) : null;

    private static string Shape(IEnumerable<long> dims) => "[" + string.Join(", ", dims) + "]";

    private static string Describe(IEnumerable<TensorSpec> outputs) =>
        string.Join(", ", outputs.Select(o => $"{o.Name} {o.ElementType.ToString().ToLowerInvariant()} [{string.Join(", ", o.Dimensions.Select(d => d < 0 ? "any" : d.ToString(CultureInfo.InvariantCulture)))}]"));
}
