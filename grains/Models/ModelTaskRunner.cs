using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;

namespace Mcp.Cluster.Models;

/// <summary>
/// Turns <c>/predict</c> inputs into backend calls for a model's task and the results back into JSON. A batch of
/// classifications or embeddings is one backend call; generations run a few at a time.
/// </summary>
public static class ModelTaskRunner
{
    /// <param name="textField">
    /// The name generated text is answered under: <c>text</c>, or <c>response</c> for a model whose output schema
    /// declares that instead (the user guide's <c>gpt-wrapper</c>).
    /// </param>
    public static async Task<IReadOnlyList<JsonNode?>> RunAsync(
        ModelBackend backend, ModelTask task, IReadOnlyList<JsonNode> inputs, int maxConcurrency, CancellationToken cancellationToken,
        string textField = "text")
    {
        switch (task)
        {
            case ModelTask.Classification:
            {
                var texts = inputs.Select((input, i) => RequireString(input, "text", i, inputs.Count)).ToArray();
                var results = await backend.ClassifyAsync(texts, cancellationToken);
                EnsureCount(results.Count, inputs.Count);
                return results.Select(r => (JsonNode?)new JsonObject
                {
                    ["label"] = r.Label,
                    ["score"] = Math.Round(r.Score, 6),
                    ["scores"] = ScoresNode(r.Scores, 6),
                }).ToArray();
            }
            case ModelTask.Sentiment:
            {
                var texts = inputs.Select((input, i) => RequireString(input, "text", i, inputs.Count)).ToArray();
                var results = await backend.AnalyzeSentimentAsync(texts, cancellationToken);
                EnsureCount(results.Count, inputs.Count);
                return results.Select(r => (JsonNode?)new JsonObject
                {
                    ["sentiment"] = r.Sentiment,
                    ["confidence"] = Math.Round(r.Confidence, 4),
                    ["scores"] = ScoresNode(r.Scores, 4),
                }).ToArray();
            }
            case ModelTask.Embedding:
            {
                var perInput = inputs.Select((input, i) => EmbeddingInputs(input, i, inputs.Count)).ToArray();
                var flat = perInput.SelectMany(x => x).ToArray();
                var result = await backend.EmbedAsync(flat, cancellationToken);
                EnsureCount(result.Vectors.Count, flat.Length);
                var outputs = new JsonNode?[inputs.Count];
                var offset = 0;
                for (var i = 0; i < inputs.Count; i++)
                {
                    var vectors = result.Vectors.Skip(offset).Take(perInput[i].Count).ToArray();
                    offset += perInput[i].Count;
                    outputs[i] = new JsonObject
                    {
                        ["embeddings"] = new JsonArray(vectors.Select(v => (JsonNode?)new JsonArray(v.Select(f => (JsonNode?)f).ToArray())).ToArray()),
                        ["dimensions"] = vectors.Length > 0 ? vectors[0].Length : 0,
                        // Token counts are for the whole provider call, so they are only exact for a single input.
                        ["usage"] = inputs.Count == 1 ? UsageNode(result.Usage) : null,
                    };
                }
                return outputs;
            }
            case ModelTask.Chat or ModelTask.Completion:
            {
                var requests = inputs.Select((input, i) => GenerationRequest(task, input, i, inputs.Count)).ToArray();
                var outputs = new JsonNode?[inputs.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, inputs.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency), CancellationToken = cancellationToken },
                    async (i, ct) =>
                    {
                        var result = await backend.GenerateAsync(requests[i], ct);
                        outputs[i] = new JsonObject
                        {
                            [textField] = result.Text,
                            ["finish_reason"] = result.FinishReason,
                            ["usage"] = UsageNode(result.Usage),
                        };
                    });
                return outputs;
            }
            default:
                return inputs.Count == 1
                    ? [await backend.PredictAsync(inputs[0], cancellationToken)]
                    : await backend.PredictBatchAsync(inputs, cancellationToken);
        }
    }

    private static JsonNode? UsageNode(TokenUsage? usage) => usage is null ? null : new JsonObject
    {
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["total_tokens"] = usage.TotalTokens,
    };

    private static TextGenerationRequest GenerationRequest(ModelTask task, JsonNode input, int index, int count)
    {
        var maxTokens = OptionalInt(input, "max_tokens", index, count);
        var temperature = OptionalDouble(input, "temperature", index, count);
        var topP = OptionalDouble(input, "top_p", index, count);
        var stop = input["stop"] is JsonArray stops ? stops.Select(s => s?.GetValue<string>() ?? "").ToArray() : null;
        if (task == ModelTask.Completion)
        {
            return new TextGenerationRequest([], RequireString(input, "prompt", index, count), maxTokens, temperature, topP, stop);
        }
        if (input["messages"] is not JsonArray messages || messages.Count == 0)
        {
            throw Missing("messages", index, count, "The chat task needs a non-empty 'messages' array");
        }
        var turns = messages.Select((m, j) => new ChatMessage(
            RequireString(m!, "role", index, count, $"messages[{j}]."),
            RequireString(m!, "content", index, count, $"messages[{j}].", allowEmpty: true))).ToArray();
        return new TextGenerationRequest(turns, null, maxTokens, temperature, topP, stop);
    }

    private static IReadOnlyList<string> EmbeddingInputs(JsonNode input, int index, int count) => input["input"] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        JsonArray a when a.Count > 0 && a.All(x => x is JsonValue s && s.GetValueKind() == JsonValueKind.String) =>
            a.Select(x => x!.GetValue<string>()).ToArray(),
        _ => throw Missing("input", index, count, "The embedding task needs 'input' as a string or an array of strings"),
    };

    private static string RequireString(JsonNode input, string name, int index, int count, string prefix = "", bool allowEmpty = false)
    {
        if (input is JsonObject obj && obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && (allowEmpty || v.GetValue<string>().Length > 0))
        {
            return v.GetValue<string>();
        }
        throw Missing(prefix + name, index, count, input is JsonObject o && o[name] is not null
            ? $"Field '{prefix}{name}' must be a non-empty string"
            : $"Required field '{prefix}{name}' is missing");
    }

    private static JsonObject ScoresNode(IReadOnlyDictionary<string, double> scores, int digits) =>
        new(scores.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Math.Round(p.Value, digits))));

    private static int? OptionalInt(JsonNode input, string name, int index, int count) => input[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var n) => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= 1 and <= int.MaxValue => (int)d,
        _ => throw Missing(name, index, count, $"Field '{name}' must be an integer"),
    };

    private static double? OptionalDouble(JsonNode input, string name, int index, int count) => input[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        _ => throw Missing(name, index, count, $"Field '{name}' must be a number"),
    };

    private static PredictionInputException Missing(string field, int index, int count, string message) =>
        new(message, field) { Index = count > 1 ? index : null };

    private static void EnsureCount(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new ModelBackendException($"The backend returned {actual} results for {expected} inputs.");
        }
    }
}
