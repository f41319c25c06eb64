using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// Body of <c>POST /api/models</c>: the registration document teams already keep next to their models.
/// Unknown fields are refused so a misspelt field is never silently ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegisterModelRequest
{
    /// <summary>Letters, digits, '.', '_' and '-'; several versions may share a name.</summary>
    [Required]
    public string? Name { get; init; }

    /// <summary>Defaults to 1.0.0. Ordered like semantic versions for <c>latest</c>.</summary>
    public string? Version { get; init; }

    public string? Description { get; init; }

    /// <summary><c>internal</c> or <c>third_party</c>; defaults by provider.</summary>
    public string? ModelType { get; init; }

    /// <summary>Backend type: openai, huggingface, http, builtin.</summary>
    public string? Provider { get; init; }

    /// <summary>JSON Schema every prediction input must satisfy; defaults to the task's shape.</summary>
    public JsonElement? InputSchema { get; init; }

    /// <summary>JSON Schema every output must satisfy (a mismatch is a 502); defaults to the task's shape.</summary>
    public JsonElement? OutputSchema { get; init; }

    public DataSourceRequest[]? DataSources { get; init; }

    /// <summary>Provider settings. Secrets may be values (encrypted at rest, never returned) or <c>${ENV_VAR}</c> references.</summary>
    public JsonElement? Config { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DataSourceRequest
{
    [Required]
    public string? Name { get; init; }

    /// <summary><c>read</c> (default), <c>write</c> or <c>read_write</c>.</summary>
    public string? AccessType { get; init; }

    public string[]? RequiredFields { get; init; }

    public string? SnowflakeTable { get; init; }
}

public sealed record RegisteredModelResponse(string ModelId, string Name, string Version, string Status, string Endpoint);

public sealed record DataSourceResponse(string Name, string AccessType, IReadOnlyList<string>? RequiredFields, string? SnowflakeTable)
{
    public static DataSourceResponse From(ModelDataSource source) =>
        new(source.Name, source.AccessType, source.RequiredFields, source.SnowflakeTable);
}

/// <summary>A model as the API shows it; secrets in <c>config</c> are masked.</summary>
public sealed record ModelResponse(
    string ModelId,
    string Name,
    string Version,
    string? Description,
    string ModelType,
    string? Provider,
    string Task,
    IReadOnlyList<string> Capabilities,
    bool Streaming,
    string Status,
    JsonElement InputSchema,
    JsonElement OutputSchema,
    IReadOnlyList<DataSourceResponse> DataSources,
    JsonElement Config,
    IReadOnlyList<string> Aliases,
    string Owner,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Endpoint)
{
    public static ModelResponse From(ModelInfo model, IReadOnlyList<string> aliases) => new(
        model.ModelId, model.Name, model.Version, model.Description,
        ModelNames.Of(model.ModelType), model.Provider.Length == 0 ? null : model.Provider, ModelNames.Of(model.Task),
        model.Capabilities.Select(ModelNames.Of).ToArray(), model.Streaming, ModelNames.Of(model.Status),
        Json(model.InputSchema), Json(model.OutputSchema),
        model.DataSources.Select(DataSourceResponse.From).ToArray(),
        Json(model.Config), aliases, model.Owner, model.CreatedBy, model.CreatedAt, model.UpdatedAt,
        ModelNames.PredictEndpoint(model.ModelId));

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}

public sealed record ModelSummaryResponse(string ModelId, string Name, string Version, string? Provider, string Status, string Owner, DateTimeOffset CreatedAt, string Endpoint)
{
    public static ModelSummaryResponse From(ModelCatalogEntry entry) => new(
        entry.ModelId, entry.Name, entry.Version, entry.Provider.Length == 0 ? null : entry.Provider, ModelNames.Of(entry.Status), entry.Owner, entry.CreatedAt,
        ModelNames.PredictEndpoint(entry.ModelId));
}

public sealed record ModelListResponse(IReadOnlyList<ModelSummaryResponse> Models, int Total, int Offset, int Limit);

public sealed record ModelStatusResponse(
    string ModelId,
    string Status,
    long TotalRequests,
    string AverageLatency,
    double AverageLatencyMs,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? LastHealthCheck,
    bool? LastHealthCheckPassed,
    string Circuit,
    int ConsecutiveFailures,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    HostingResponse? Hosting = null)
{
    public static ModelStatusResponse From(string modelId, ModelStatusReport report) => new(
        modelId, ModelNames.Of(report.Status), report.TotalRequests, DisplayUnits.Milliseconds(report.AverageLatencyMs), report.AverageLatencyMs,
        report.LastError, report.LastErrorAt,
        report.LastHealthCheck, report.LastHealthCheckPassed, ModelNames.Of(report.Circuit), report.ConsecutiveFailures,
        report.Hosting is { } hosting ? HostingResponse.From(hosting) : null);
}

/// <summary>
/// <c>error_rate</c> (<c>"0.1%"</c>) and <c>average_response_time</c> (<c>"45ms"</c>) as the user guide shows them;
/// <c>error_rate_ratio</c> (a fraction of the period's requests) and <c>average_response_time_ms</c> for machines.
/// </summary>
public sealed record ModelMetricsResponse(
    string ModelId,
    int Days,
    IReadOnlyDictionary<string, long> DailyRequests,
    IReadOnlyDictionary<string, long> DailyErrors,
    long TotalRequests,
    long TotalErrors,
    string ErrorRate,
    double ErrorRateRatio,
    string AverageResponseTime,
    double AverageResponseTimeMs,
    long PromptTokens,
    long CompletionTokens,
    Usage.UsageReportResponse Usage);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SetAliasRequest
{
    /// <summary>The version of the same name the alias should point at.</summary>
    [Required]
    public string? Version { get; init; }
}

public sealed record ModelAliasResponse(string Name, string Alias, string ModelId, string Version);

public sealed record ModelNameResponse(string Name, IReadOnlyList<ModelSummaryResponse> Versions, IReadOnlyList<ModelAliasResponse> Aliases);

public sealed record BatchPredictionResponse(string ModelId, IReadOnlyList<JsonElement> Predictions);
