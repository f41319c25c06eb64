using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Models.Backends.HuggingFace;

/// <summary>
/// The Hugging Face Inference API task endpoints: <c>POST {base_url}models/{provider_model}</c> with
/// <c>{"inputs", "parameters"}</c>. <c>endpoint_url</c> points at one deployment instead (a dedicated Inference
/// Endpoint or a self-hosted Text Generation Inference server), which speaks the same format on its root.
/// Tasks: text-classification (<c>classification</c>), text-generation (<c>completion</c>, streamed over SSE) and
/// feature-extraction (<c>embedding</c>).
/// </summary>
public sealed class HuggingFaceBackend : ModelBackend
{
    private static readonly IReadOnlySet<ModelTask> Supported = new HashSet<ModelTask>
    {
        ModelTask.Classification, ModelTask.Completion, ModelTask.Embedding,
    };

    private readonly HttpClient _http;
    private readonly Uri _inferenceUrl;
    private readonly Uri _healthUrl;
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);
    private readonly JsonObject? _parameters;
    private readonly int? _defaultMaxTokens;
    private readonly double? _defaultTemperature;

    public HuggingFaceBackend(ModelBackendContext context, Microsoft.Extensions.Options.IOptions<ProviderCredentialOptions> providers)
    {
        var config = context.Config;
        _http = context.Http;
        var operatorAccount = providers.Value.HuggingFace;
        var (apiKey, missing) = OperatorCredential.Resolve(config, operatorAccount, "Providers:HuggingFace:ApiKey",
            "endpoint_url", "base_url", "hub_url", "health_url");
        Unconfigured = missing;
        var endpoint = config.GetBaseUri("endpoint_url");
        // The user guide names the Hub model with model_id; provider_model is the name every provider shares.
        var providerModel = config.GetString("provider_model");
        var hubModelId = config.GetString("model_id");
        if (providerModel is not null && hubModelId is not null && providerModel != hubModelId)
        {
            throw ModelConfig.Invalid("model_id", $"names another model than config.provider_model ('{providerModel}'); give one of them");
        }
        providerModel ??= hubModelId;
        var baseUrl = config.GetBaseUri("base_url", operatorAccount.BaseUrl)!;
        var hubUrl = config.GetBaseUri("hub_url", operatorAccount.HubUrl ?? "https://huggingface.co/")!;
        var healthUrl = config.GetUri("health_url");
        _parameters = config.GetObject("parameters");
        _defaultMaxTokens = config.GetInt("max_tokens", 1, 1_000_000);
        _defaultTemperature = config.GetDouble("temperature", 0, 100);
        var waitForModel = config.GetBool("wait_for_model") ?? true;

        if (endpoint is null && providerModel is null)
        {
            throw ModelConfig.Invalid("model_id", "(the Hub model id, e.g. \"nlptown/bert-base-multilingual-uncased-sentiment\"; or provider_model) is required unless endpoint_url is given");
        }
        _inferenceUrl = endpoint ?? new Uri(baseUrl, "models/" + providerModel);
        _healthUrl = healthUrl ?? (endpoint is not null ? new Uri(endpoint, "health") : new Uri(hubUrl, "api/models/" + providerModel));
        if (apiKey is not null)
        {
            _headers["Authorization"] = "Bearer " + apiKey;
        }
        if (waitForModel)
        {
            // A cold model otherwise answers 503 until it is loaded.
            _headers["x-wait-for-model"] = "true";
        }
    }

    public override IReadOnlySet<ModelTask> Capabilities => Supported;

    public override ModelTask DefaultTask => ModelTask.Classification;

    public override bool SupportsStreaming => true;

    public override Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        ProviderHttp.ProbeAsync(_http, _healthUrl, _headers, cancellationToken);

    public override async Task<IReadOnlyList<ClassificationResult>> ClassifyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var answer = await PostAsync(new JsonObject { ["inputs"] = Inputs(texts), ["parameters"] = _parameters?.DeepClone() }, cancellationToken);
        // One list of {label, score} per input; for a single input some servers drop the outer list.
        if (answer is not JsonArray outer)
        {
            throw Malformed("text-classification", answer);
        }
        var perInput = texts.Count == 1 && outer.Count > 0 && outer[0] is JsonObject ? [outer] : outer.ToList();
        if (perInput.Count != texts.Count)
        {
            throw new ModelBackendException($"text-classification returned {perInput.Count} results for {texts.Count} inputs.");
        }
        return perInput.Select(node => ToClassification(node, answer)).ToArray();
    }

    public override async Task<TextGenerationResult> GenerateAsync(TextGenerationRequest request, CancellationToken cancellationToken)
    {
        var answer = await PostAsync(GenerationBody(request, stream: false), cancellationToken);
        var item = answer is JsonArray { Count: > 0 } array ? array[0] : answer;
        if (item is not JsonObject obj || obj["generated_text"] is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
        {
            throw Malformed("text-generation", answer);
        }
        var details = obj["details"] as JsonObject;
        var finish = FinishReason(details?["finish_reason"]?.GetValue<string>()) ?? "stop";
        var generated = details?["generated_tokens"] is JsonValue g && g.TryGetValue<int>(out var n) ? new TokenUsage(0, n) : null;
        return new TextGenerationResult(text.GetValue<string>(), finish, generated);
    }

    public override async IAsyncEnumerable<TextGenerationChunk> StreamAsync(
        TextGenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var message = ProviderHttp.JsonRequest(HttpMethod.Post, _inferenceUrl, GenerationBody(request, stream: true), _headers);
        message.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await ProviderHttp.SendAsync(_http, message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);

        var finished = false;
        var events = SseParser.Create(body).EnumerateAsync(cancellationToken);
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            JsonObject? frame;
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    break;
                }
                frame = JsonNode.Parse(enumerator.Current.Data) as JsonObject;
            }
            catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
            {
                throw new ModelBackendException($"The stream from the provider broke off: {e.Message}", inner: e);
            }
            if (frame?["error"] is JsonValue error)
            {
                throw new ModelBackendException($"The provider reported an error mid-stream: {error}");
            }
            var token = frame?["token"] as JsonObject;
            var special = token?["special"] is JsonValue s && s.GetValueKind() == JsonValueKind.True;
            if (token?["text"] is JsonValue t && !special && t.GetValue<string>() is { Length: > 0 } piece)
            {
                yield return new TextGenerationChunk(piece);
            }
            if (frame?["details"] is JsonObject details)
            {
                var usage = details["generated_tokens"] is JsonValue g && g.TryGetValue<int>(out var n) ? new TokenUsage(0, n) : null;
                yield return new TextGenerationChunk("", FinishReason(details["finish_reason"]?.GetValue<string>()) ?? "stop", usage);
                finished = true;
            }
            else if (frame?["generated_text"] is JsonValue done && done.GetValueKind() == JsonValueKind.String)
            {
                yield return new TextGenerationChunk("", "stop");
                finished = true;
            }
        }
        if (!finished)
        {
            throw new ModelBackendException("The provider ended the stream before the final token.");
        }
    }

    public override async Task<EmbeddingResult> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var answer = await PostAsync(new JsonObject { ["inputs"] = Inputs(inputs) }, cancellationToken);
        if (answer is not JsonArray outer || outer.Count == 0)
        {
            throw Malformed("feature-extraction", answer);
        }
        // A single input may come back as one vector rather than a list of one.
        var perInput = inputs.Count == 1 && outer[0] is JsonValue ? [outer] : outer.ToList();
        if (perInput.Count != inputs.Count)
        {
            throw new ModelBackendException($"feature-extraction returned {perInput.Count} vectors for {inputs.Count} inputs.");
        }
        return new EmbeddingResult(perInput.Select(v => ToVector(v, answer)).ToArray(), null);
    }

    private async Task<JsonNode?> PostAsync(JsonObject body, CancellationToken cancellationToken)
    {
        using var request = ProviderHttp.JsonRequest(HttpMethod.Post, _inferenceUrl, body, _headers);
        return await ProviderHttp.SendJsonAsync(_http, request, cancellationToken);
    }

    private JsonObject GenerationBody(TextGenerationRequest request, bool stream)
    {
        var parameters = (JsonObject?)_parameters?.DeepClone() ?? new JsonObject();
        parameters["return_full_text"] ??= false;
        if ((request.MaxTokens ?? _defaultMaxTokens) is { } maxTokens)
        {
            parameters["max_new_tokens"] = maxTokens;
        }
        if ((request.Temperature ?? _defaultTemperature) is { } temperature)
        {
            parameters["temperature"] = temperature;
        }
        if (request.TopP is { } topP)
        {
            parameters["top_p"] = topP;
        }
        if (request.Stop is { Count: > 0 } stop)
        {
            parameters["stop"] = new JsonArray(stop.Select(s => (JsonNode?)s).ToArray());
        }
        if (stream)
        {
            parameters["details"] = true;
        }
        var prompt = request.Prompt ?? string.Join("\n", request.Messages.Select(m => m.Content));
        var body = new JsonObject { ["inputs"] = prompt, ["parameters"] = parameters };
        if (stream)
        {
            body["stream"] = true;
        }
        return body;
    }

    private static JsonNode Inputs(IReadOnlyList<string> texts) =>
        texts.Count == 1 ? JsonValue.Create(texts[0]) : new JsonArray(texts.Select(t => (JsonNode?)t).ToArray());

    private static ClassificationResult ToClassification(JsonNode? node, JsonNode? whole)
    {
        if (node is not JsonArray labels || labels.Count == 0)
        {
            throw Malformed("text-classification", whole);
        }
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in labels)
        {
            if (item is not JsonObject o || o["label"] is not JsonValue l || o["score"] is not JsonValue s
                || l.GetValueKind() != JsonValueKind.String || s.GetValueKind() != JsonValueKind.Number)
            {
                throw Malformed("text-classification", whole);
            }
            scores[l.GetValue<string>()] = s.GetValue<double>();
        }
        var best = scores.MaxBy(p => p.Value);
        return new ClassificationResult(best.Key, best.Value, scores);
    }

    /// <summary>A sentence vector, or token vectors that are mean-pooled into one.</summary>
    private static float[] ToVector(JsonNode? node, JsonNode? whole)
    {
        if (node is JsonArray { Count: > 0 } array && array[0] is JsonValue)
        {
            return array.Select(v => v is JsonValue n && n.GetValueKind() == JsonValueKind.Number ? n.GetValue<float>() : throw Malformed("feature-extraction", whole)).ToArray();
        }
        if (node is JsonArray { Count: > 0 } tokens && tokens.All(t => t is JsonArray))
        {
            var vectors = tokens.Select(t => ToVector(t, whole)).ToArray();
            var pooled = new float[vectors[0].Length];
            foreach (var vector in vectors)
            {
                if (vector.Length != pooled.Length)
                {
                    throw Malformed("feature-extraction", whole);
                }
                for (var i = 0; i < pooled.Length; i++)
                {
                    pooled[i] += vector[i] / vectors.Length;
                }
            }
            return pooled;
        }
        throw Malformed("feature-extraction", whole);
    }

    private static string? FinishReason(string? reason) => reason switch
    {
        null => null,
        "length" => "length",
        "eos_token" or "stop_sequence" => "stop",
        _ => reason,
    };

    private static ModelBackendException Malformed(string task, JsonNode? answer)
    {
        var text = answer?.ToJsonString() ?? "null";
        return new ModelBackendException($"The {task} answer has an unexpected shape: {(text.Length > 200 ? text[..200] + "…" : text)}");
    }
}
