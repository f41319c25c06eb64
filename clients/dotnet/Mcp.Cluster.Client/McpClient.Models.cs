using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mcp.Cluster.Client;

public sealed partial class McpClient
{
    /// <summary>Runs a prediction: <paramref name="input"/> is the model's input (<c>{"text": …}</c> for sentiment), the answer its output.</summary>
    public Task<JsonElement> PredictAsync(string model, JsonElement input, CancellationToken cancellationToken = default) =>
        PostAsync($"api/models/{Segment(model, nameof(model))}/predict", input, McpJsonContext.Default.JsonElement, McpJsonContext.Default.JsonElement, cancellationToken);

    /// <summary>A prediction whose input is any serializable type, described by its (source-generated) type info.</summary>
    public Task<JsonElement> PredictAsync<TInput>(string model, TInput input, JsonTypeInfo<TInput> inputType, CancellationToken cancellationToken = default) =>
        PostAsync($"api/models/{Segment(model, nameof(model))}/predict", input, inputType, McpJsonContext.Default.JsonElement, cancellationToken);

    /// <summary>
    /// A prediction whose input is a dictionary, an anonymous object or any other object (properties written in
    /// snake_case: <c>new { text = "…" }</c>, <c>new { MaxTokens = 5 }</c> as <c>max_tokens</c>).
    /// </summary>
    [RequiresUnreferencedCode("Objects other than dictionaries, lists and primitives are serialized by reflection; pass a JsonElement or a JsonTypeInfo when trimming.")]
    [RequiresDynamicCode("Objects other than dictionaries, lists and primitives are serialized by reflection; pass a JsonElement or a JsonTypeInfo for native AOT.")]
    public Task<JsonElement> PredictAsync(string model, object input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var json = input switch
        {
            JsonElement element => element,
            System.Collections.IDictionary or System.Text.Json.Nodes.JsonNode => JsonValues.From(input),
            _ => JsonSerializer.SerializeToElement(input, input.GetType(), ReflectionJson.Options),
        };
        return PredictAsync(model, json, cancellationToken);
    }

    /// <summary>Registers a model (<c>POST /api/models</c>).</summary>
    public Task<RegisteredModel> RegisterModelAsync(RegisterModelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PostAsync("api/models", request, McpJsonContext.Default.RegisterModelRequest, McpJsonContext.Default.RegisteredModel, cancellationToken);
    }

    /// <summary>A model's definition; <paramref name="model"/> is an id, <c>name</c>, <c>name@version</c> or <c>name@alias</c>.</summary>
    public Task<ModelInfo> GetModelAsync(string model, CancellationToken cancellationToken = default) =>
        GetAsync($"api/models/{Segment(model, nameof(model))}", McpJsonContext.Default.ModelInfo, cancellationToken);

    /// <summary>A page of registered models.</summary>
    public Task<ModelList> ListModelsAsync(ModelListQuery? query = null, CancellationToken cancellationToken = default) =>
        GetAsync("api/models" + Query(("name", query?.Name), ("provider", query?.Provider), ("status", query?.Status), ("offset", query?.Offset), ("limit", query?.Limit)),
            McpJsonContext.Default.ModelList, cancellationToken);

    /// <summary>Deletes a model version (owner or admin).</summary>
    public Task DeleteModelAsync(string model, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, $"api/models/{Segment(model, nameof(model))}", cancellationToken);

    /// <summary>Health, circuit and counters of a model.</summary>
    public Task<ModelStatus> GetModelStatusAsync(string model, CancellationToken cancellationToken = default) =>
        GetAsync($"api/models/{Segment(model, nameof(model))}/status", McpJsonContext.Default.ModelStatus, cancellationToken);
}
