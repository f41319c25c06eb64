using System.Text.Json.Nodes;

namespace Mcp.Cluster.Models.Backends.Http;

/// <summary>
/// A user's own model service: the validated input JSON is POSTed to <c>url</c> and the JSON answer is the output.
/// With <c>batch_url</c>, a batch is one POST of <c>{"inputs":[…]}</c> answered by <c>{"predictions":[…]}</c> (or a bare array).
/// Without <c>health_url</c> the service is only judged by its answers (the circuit breaker).
/// </summary>
public sealed class HttpModelBackend : ModelBackend
{
    private static readonly IReadOnlySet<ModelTask> Supported = new HashSet<ModelTask> { ModelTask.Predict };

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly Uri? _batchUrl;
    private readonly Uri? _healthUrl;
    private readonly IReadOnlyDictionary<string, string> _headers;

    public HttpModelBackend(ModelBackendContext context)
    {
        var config = context.Config;
        _http = context.Http;
        _url = config.GetUri("url") ?? throw ModelConfig.Invalid("url", "is required");
        _batchUrl = config.GetUri("batch_url");
        _healthUrl = config.GetUri("health_url");
        _headers = config.GetHeaders("headers");
    }

    public override IReadOnlySet<ModelTask> Capabilities => Supported;

    public override ModelTask DefaultTask => ModelTask.Predict;

    public override Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        _healthUrl is null ? Task.FromResult(BackendHealth.Ok) : ProviderHttp.ProbeAsync(_http, _healthUrl, _headers, cancellationToken);

    public override async Task<JsonNode?> PredictAsync(JsonNode input, CancellationToken cancellationToken)
    {
        using var request = ProviderHttp.JsonRequest(HttpMethod.Post, _url, input, _headers);
        return await ProviderHttp.SendJsonAsync(_http, request, cancellationToken);
    }

    public override async Task<IReadOnlyList<JsonNode?>> PredictBatchAsync(IReadOnlyList<JsonNode> inputs, CancellationToken cancellationToken)
    {
        if (_batchUrl is null)
        {
            return await base.PredictBatchAsync(inputs, cancellationToken);
        }
        var body = new JsonObject { ["inputs"] = new JsonArray(inputs.Select(i => i.DeepClone()).ToArray()) };
        using var request = ProviderHttp.JsonRequest(HttpMethod.Post, _batchUrl, body, _headers);
        var answer = await ProviderHttp.SendJsonAsync(_http, request, cancellationToken);
        var predictions = answer switch
        {
            JsonArray array => array,
            JsonObject obj when obj["predictions"] is JsonArray array => array,
            _ => throw new ModelBackendException("The batch endpoint must answer with {\"predictions\": [...]} or an array."),
        };
        if (predictions.Count != inputs.Count)
        {
            throw new ModelBackendException($"The batch endpoint returned {predictions.Count} predictions for {inputs.Count} inputs.");
        }
        return predictions.Select(p => p?.DeepClone()).ToArray();
    }
}
