using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Cluster;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using Mcp.Cluster.Gateway.Usage;
using Mcp.Cluster.Json;

namespace Mcp.Cluster.Gateway.Models;

public static class ModelEndpoints
{
    private const int MaxMetricsDays = 90;

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/models").WithTags("Models");
        var options = routes.ServiceProvider.GetRequiredService<IOptions<ModelGatewayOptions>>().Value;

        group.MapPost("/", RegisterAsync)
            .ValidateRequest<RegisterModelRequest, ModelDefinition, RegisterModelValidator>()
            .RequireApiKey(Permissions.Write)
            .WithName("RegisterModel")
            .WithSummary("Register a model (one version of a name)")
            .WithDescription("Provider config secrets may be values (encrypted at rest, never returned) or ${ENV_VAR} references resolved on the silo.");

        group.MapGet("/", ListAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("ListModels")
            .WithSummary("List models, filtered by name, provider or status");

        group.MapGet("/names/{name}", GetNameAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetModelName")
            .WithSummary("All versions and aliases of a model name");

        group.MapPut("/names/{name}/aliases/{alias}", SetAliasAsync)
            .ValidateRequest<SetAliasRequest, AliasTarget, SetAliasValidator>()
            .RequireApiKey(Permissions.Write)
            .WithName("SetModelAlias")
            .WithSummary("Point an alias (e.g. production) at one version of the name");

        group.MapDelete("/names/{name}/aliases/{alias}", RemoveAliasAsync)
            .RequireApiKey(Permissions.Write)
            .WithName("RemoveModelAlias")
            .WithSummary("Remove an alias");

        group.MapGet("/{model}", GetAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetModel")
            .WithSummary("Describe a model by id, name@version, name@alias or name (its latest version)");

        group.MapPatch("/{model}", UpdateAsync)
            .ValidateRequest<JsonElement, ModelPatch, ModelPatchValidator>()
            .RequireApiKey(Permissions.Write)
            .WithName("UpdateModel")
            .WithSummary("Change a model's description, schemas, config (JSON merge patch), data sources or maintenance status, or attach a provider to a model registered without one (owner or admin)");

        group.MapDelete("/{model}", DeleteAsync)
            .RequireApiKey(Permissions.Write)
            .WithName("DeleteModel")
            .WithSummary("Delete a model (owner or admin)");

        group.MapGet("/{model}/status", GetStatusAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetModelStatus")
            .WithSummary("Health, circuit breaker and request totals");

        group.MapGet("/{model}/metrics", GetMetricsAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetModelMetrics")
            .WithSummary("Requests per UTC day, error rate and average response time (ms) over the last N days");

        group.MapPost("/{model}/health-check", CheckHealthAsync)
            .RequireApiKey(Permissions.Write)
            .WithName("CheckModelHealth")
            .WithSummary("Run the model's health check now");

        group.MapPost("/{model}/predict", PredictAsync)
            .RequireApiKey(Permissions.Execute)
            .Accepts<JsonElement>("application/json")
            .Produces<JsonElement>()
            .WithName("Predict")
            .WithSummary("Run the model on one input")
            .WithDescription("The body is validated against the model's input_schema (400 validation_error) and the answer against its output_schema (502 model_error). A provider failure is 502, a timeout 504, an unavailable model 503.");

        group.MapPost("/{model}/predict/batch", PredictBatchAsync)
            .RequireApiKeyForBatch(Permissions.Execute, "inputs", options.MaxBatchSize)
            .Accepts<JsonElement>("application/json")
            .WithName("PredictBatch")
            .WithSummary("Run the model on several inputs ({\"inputs\": [...]}); costs one request per input")
            .WithDescription("Classification and embedding batches are one provider call.");

        return routes;
    }

    private static Task<Results<Created<RegisteredModelResponse>, JsonHttpResult<ApiError>>> RegisterAsync(
        RegisterModelRequest request, HttpContext context, IGrainFactory grains, ModelNameCache names) =>
        RegisterDefinitionAsync(context.Validated<ModelDefinition>(), context, grains, names);

    /// <summary>Registers a checked definition (also for <c>POST /tools</c>, which registers an http model).</summary>
    internal static async Task<Results<Created<RegisteredModelResponse>, JsonHttpResult<ApiError>>> RegisterDefinitionAsync(
        ModelDefinition definition, HttpContext context, IGrainFactory grains, ModelNameCache names)
    {
        var caller = Caller(context);
        var modelId = NewModelId();
        var result = await grains.GetGrain<IModelGrain>(modelId).RegisterAsync(definition, caller);
        if (result.Outcome != ModelCommandOutcome.Ok)
        {
            return CommandError(result, modelId);
        }
        // A new version may be the name's latest now; the change stream tells the other gateways.
        names.Forget(definition.Name);
        var model = result.Model!;
        return TypedResults.Created($"/api/models/{modelId}",
            new RegisteredModelResponse(modelId, model.Name, model.Version, "registered", ModelNames.PredictEndpoint(modelId)));
    }

    private static async Task<Results<Ok<ModelListResponse>, JsonHttpResult<ApiError>>> ListAsync(
        IGrainFactory grains, [FromQuery] string? name, [FromQuery] string? provider, [FromQuery] string? status,
        [FromQuery] int? offset, [FromQuery] int? limit)
    {
        var (skip, take, pagingError) = Paging.Read(offset, limit);
        if (pagingError is not null)
        {
            return pagingError;
        }
        ModelStatus? statusFilter = null;
        if (status is not null)
        {
            if (!ModelNames.TryParse<ModelStatus>(status, out var parsed))
            {
                return ApiErrors.Validation("Query parameter 'status' must be one of registered, active, error, maintenance.", "status");
            }
            statusFilter = parsed;
        }
        var page = await grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global)
            .ListAsync(new ModelQuery(name, provider, statusFilter, skip, take));
        return TypedResults.Ok(new ModelListResponse(page.Models.Select(ModelSummaryResponse.From).ToArray(), page.Total, skip, take));
    }

    private static async Task<Results<Ok<ModelNameResponse>, JsonHttpResult<ApiError>>> GetNameAsync(string name, IGrainFactory grains)
    {
        var catalog = grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global);
        if (!ModelName.TryParse(name, out var modelName))
        {
            return ApiErrors.NotFound($"No model is named '{name}'.");
        }
        var versions = await catalog.ListAsync(new ModelQuery(name, null, null, 0, int.MaxValue));
        if (versions.Total == 0)
        {
            return ApiErrors.NotFound($"No model is named '{name}'.");
        }
        var aliases = await catalog.GetAliasesAsync(modelName);
        return TypedResults.Ok(new ModelNameResponse(name,
            versions.Models.Select(ModelSummaryResponse.From).ToArray(),
            aliases.Select(a => new ModelAliasResponse(name, a.Alias, a.ModelId, a.Version)).ToArray()));
    }

    private static async Task<Results<Ok<ModelAliasResponse>, JsonHttpResult<ApiError>>> SetAliasAsync(
        string name, SetAliasRequest request, HttpContext context, IGrainFactory grains, ModelNameCache names)
    {
        var (alias, version) = context.Validated<AliasTarget>();
        // A name or version that cannot exist has no version to point at, as one that does not exist.
        if (!ModelName.TryParse(name, out var modelName) || !ModelVersion.TryParse(version, out var modelVersion))
        {
            return ApiErrors.NotFound($"Model '{name}' has no version '{version}'.");
        }
        // The catalog decides: which version, and whether the caller may move the name's aliases.
        var result = await grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).SetAliasAsync(modelName, alias, modelVersion, Caller(context));
        switch (result)
        {
            case { Outcome: ModelCommandOutcome.Forbidden }:
                return NameForbidden(name);
            case not { Outcome: ModelCommandOutcome.Ok, Alias: not null }:
                return ApiErrors.NotFound($"Model '{name}' has no version '{version}'.");
        }
        names.Forget(modelName);
        return TypedResults.Ok(new ModelAliasResponse(name, alias, result.Alias.ModelId, result.Alias.Version));
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> RemoveAliasAsync(
        string name, string alias, HttpContext context, IGrainFactory grains, ModelNameCache names)
    {
        if (!ModelName.TryParse(name, out var modelName) || !ModelAliasName.TryParse(alias, out var aliasName))
        {
            return ApiErrors.NotFound($"Model '{name}' has no alias '{alias}'.");
        }
        switch (await grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).RemoveAliasAsync(modelName, aliasName, Caller(context)))
        {
            case ModelCommandOutcome.Forbidden:
                return NameForbidden(name);
            case ModelCommandOutcome.Invalid:
                return ApiErrors.NotFound($"Alias '{alias}' of '{name}' is automatic (the highest version) and cannot be removed.");
            case not ModelCommandOutcome.Ok:
                return ApiErrors.NotFound($"Model '{name}' has no alias '{alias}'.");
        }
        names.Forget(modelName);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ModelResponse>, JsonHttpResult<ApiError>>> GetAsync(string model, IGrainFactory grains, ModelResolver models)
    {
        var modelId = await models.ResolveAsync(model);
        var info = modelId is null ? null : await grains.GetGrain<IModelGrain>(modelId).GetAsync();
        if (info is null)
        {
            return ModelNotFound(model);
        }
        return TypedResults.Ok(ModelResponse.From(info, await AliasesOfAsync(grains, info)));
    }

    private static async Task<Results<Ok<ModelResponse>, JsonHttpResult<ApiError>>> UpdateAsync(
        string model, JsonElement body, HttpContext context, IGrainFactory grains, ModelResolver models)
    {
        var modelId = await models.ResolveAsync(model);
        if (modelId is null)
        {
            return ModelNotFound(model);
        }
        var result = await grains.GetGrain<IModelGrain>(modelId).UpdateAsync(context.Validated<ModelPatch>(), Caller(context));
        if (result.Outcome != ModelCommandOutcome.Ok)
        {
            return CommandError(result, model);
        }
        // This silo's executor follows the change from its next call; others within their plan lease.
        await grains.GetGrain<IModelExecutorGrain>(modelId).ForgetPlanAsync();
        return TypedResults.Ok(ModelResponse.From(result.Model!, await AliasesOfAsync(grains, result.Model!)));
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteAsync(
        string model, HttpContext context, IGrainFactory grains, ModelResolver models, ModelNameCache names)
    {
        var modelId = await models.ResolveAsync(model);
        if (modelId is null)
        {
            return ModelNotFound(model);
        }
        var result = await grains.GetGrain<IModelGrain>(modelId).DeleteAsync(Caller(context));
        if (result.Outcome != ModelCommandOutcome.Ok)
        {
            return CommandError(result, model);
        }
        // The change stream tells the other gateways; this one answers its caller's next request without the model.
        names.ForgetModel(modelId);
        await grains.GetGrain<IModelExecutorGrain>(modelId).ForgetPlanAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ModelStatusResponse>, JsonHttpResult<ApiError>>> GetStatusAsync(string model, IGrainFactory grains, ModelResolver models)
    {
        var modelId = await models.ResolveAsync(model);
        var report = modelId is null ? null : await FlushThenAsync(grains, modelId, m => m.GetStatusAsync());
        return report is null ? ModelNotFound(model) : TypedResults.Ok(ModelStatusResponse.From(modelId!, report));
    }

    private static async Task<Results<Ok<ModelStatusResponse>, JsonHttpResult<ApiError>>> CheckHealthAsync(string model, IGrainFactory grains, ModelResolver models)
    {
        var modelId = await models.ResolveAsync(model);
        var report = modelId is null ? null : await grains.GetGrain<IModelGrain>(modelId).CheckHealthAsync();
        return report is null ? ModelNotFound(model) : TypedResults.Ok(ModelStatusResponse.From(modelId!, report));
    }

    private static async Task<Results<Ok<ModelMetricsResponse>, JsonHttpResult<ApiError>>> GetMetricsAsync(
        string model, IGrainFactory grains, ModelResolver models, UsageReader usage, [FromQuery] int? days)
    {
        var period = days ?? 30;
        if (period is < 1 or > MaxMetricsDays)
        {
            return ApiErrors.Validation($"Query parameter 'days' must be between 1 and {MaxMetricsDays}.", "days");
        }
        var modelId = await models.ResolveAsync(model);
        var report = modelId is null ? null : await FlushThenAsync(grains, modelId, m => m.GetMetricsAsync(period));
        if (report is null)
        {
            return ModelNotFound(model);
        }
        var traffic = await usage.ReadAsync(Mcp.Cluster.Usage.UsageScopeKind.Model, modelId!, period);
        return TypedResults.Ok(new ModelMetricsResponse(modelId!, period, report.DailyRequests, report.DailyErrors,
            report.TotalRequests, report.TotalErrors, DisplayUnits.Percent(report.ErrorRate), report.ErrorRate,
            DisplayUnits.Milliseconds(report.AverageResponseTimeMs), report.AverageResponseTimeMs, report.PromptTokens, report.CompletionTokens,
            UsageReportResponse.Of(traffic, usage.Today, period)));
    }

    private static async Task<IResult> PredictAsync(string model, HttpContext context, IGrainFactory grains, ModelResolver models, SiloLossGuard guard)
    {
        if (RequireJson(context) is { } unsupported)
        {
            return unsupported;
        }
        // The body goes to the executor as the caller's bytes: it is parsed there, once, and validated on that parse.
        var body = await BodyAsync(context);
        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return ApiErrors.Validation("The body must be the JSON input of the model.");
        }
        if (SyntaxProblem(context) is { } notJson)
        {
            return notJson;
        }
        var modelId = await models.ResolveAsync(model);
        if (modelId is null)
        {
            return ModelNotFound(model);
        }
        context.Usage().ModelId = modelId;
        var executor = grains.GetGrain<IModelExecutorGrain>(modelId);
        var result = await guard.RunAsync(executor, cancel => executor.PredictAsync(body, cancel), context.RequestAborted);
        if (result.Outcome != PredictionOutcome.Ok)
        {
            return PredictionError(context, result, modelId);
        }
        SetLatencyHeaders(context, modelId, result);
        return Results.Text(result.Outputs[0], "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> PredictBatchAsync(string model, HttpContext context, IGrainFactory grains, ModelResolver models, SiloLossGuard guard)
    {
        if (RequireJson(context) is { } unsupported)
        {
            return unsupported;
        }
        // The executor checks the body's shape ({"inputs": [...]}) on the one parse it makes.
        var body = await BodyAsync(context);
        if (SyntaxProblem(context) is { } notJson)
        {
            return notJson;
        }
        var modelId = await models.ResolveAsync(model);
        if (modelId is null)
        {
            return ModelNotFound(model);
        }
        context.Usage().ModelId = modelId;
        var executor = grains.GetGrain<IModelExecutorGrain>(modelId);
        var result = await guard.RunAsync(executor, cancel => executor.PredictBatchAsync(body, cancel), context.RequestAborted);
        if (result.Outcome != PredictionOutcome.Ok)
        {
            return PredictionError(context, result, modelId);
        }
        SetLatencyHeaders(context, modelId, result);
        // BatchPredictionResponse, written around the outputs' JSON text as it came (never parsed again here).
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model_id", modelId);
            writer.WriteStartArray("predictions");
            foreach (var output in result.Outputs)
            {
                writer.WriteRawValue(output, skipInputValidation: true);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }

    /// <summary>
    /// The request body as bytes. The edge's JSON check has buffered it already, sized by Content-Length, so its buffer
    /// is the body and is handed on as it is; a body of unannounced length is copied once to fit.
    /// </summary>
    private static async Task<byte[]> BodyAsync(HttpContext context)
    {
        if (context.Request.Body is MemoryStream { Position: 0 } buffered)
        {
            return buffered.TryGetBuffer(out var whole) && whole is { Offset: 0, Array: { } array } && whole.Count == array.Length
                ? array
                : buffered.ToArray();
        }
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
        return copy.ToArray();
    }

    /// <summary>
    /// A body that is not JSON at all, as the edge's one scan found it (<see cref="StrictJsonBodyMiddleware"/>); the
    /// gateway never scans it again. Without that scan (no edge check ran) the executor's check answers.
    /// </summary>
    private static IResult? SyntaxProblem(HttpContext context) =>
        context.Features.Get<CheckedJsonBody>()?.Problem switch
        {
            { Kind: StrictJsonProblemKind.Syntax } syntax =>
                ApiErrors.Result(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"The body is not valid JSON: {syntax.Detail}"),
            { } ambiguous => ApiErrors.Validation(ambiguous.Detail),
            null => null,
        };

    private static IResult PredictionError(HttpContext context, PredictionResult result, string modelId)
    {
        var extra = new Dictionary<string, object?> { ["model_id"] = modelId };
        if (result.Field is not null)
        {
            extra["field"] = result.Field;
        }
        if (result.Index is not null)
        {
            extra["index"] = result.Index;
        }
        if (result.RetryAfter is { } retry)
        {
            extra["retry_after"] = RetryAfterHeader.Set(context.Response, retry);
        }
        var code = PredictionOutcomeErrors.Code(result.Outcome);
        return ApiErrors.Result(PredictionOutcomeErrors.Status(result.Outcome), code, result.Detail ?? code, extra);
    }

    private static void SetLatencyHeaders(HttpContext context, string modelId, PredictionResult result)
    {
        context.Response.Headers["X-Model-Id"] = modelId;
        context.Response.Headers["X-Model-Latency-Ms"] = result.LatencyMs.ToString("F1", CultureInfo.InvariantCulture);
    }

    private static IResult? RequireJson(HttpContext context)
    {
        var type = context.Request.ContentType;
        return type is not null && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Contains("+json", StringComparison.OrdinalIgnoreCase))
            ? null
            : ApiErrors.Result(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "Send the input as JSON with 'Content-Type: application/json'.");
    }


    /// <summary>
    /// Reads after this silo's executor has sent what it has not reported yet, so a caller reading its own calls'
    /// counts sees them; other silos' executors report within <c>Models:ExecutorReportInterval</c>.
    /// </summary>
    private static async Task<T> FlushThenAsync<T>(IGrainFactory grains, string modelId, Func<IModelGrain, Task<T>> read)
    {
        await grains.GetGrain<IModelExecutorGrain>(modelId).FlushAsync();
        return await read(grains.GetGrain<IModelGrain>(modelId));
    }

    private static async Task<IReadOnlyList<string>> AliasesOfAsync(IGrainFactory grains, ModelInfo model)
    {
        if (!ModelName.TryParse(model.Name, out var name))
        {
            return [];
        }
        var aliases = await grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).GetAliasesAsync(name);
        return aliases.Where(a => a.ModelId == model.ModelId).Select(a => a.Alias).ToArray();
    }

    internal static ModelCaller Caller(HttpContext context)
    {
        var key = context.GetRequiredApiKey();
        return new ModelCaller(key.KeyId, key.Owner, key.IsAdmin);
    }

    private static JsonHttpResult<ApiError> NameForbidden(string name) =>
        ApiErrors.Forbidden($"The model name '{name}' belongs to another owner; only its owner or an admin may change its aliases.");

    internal static JsonHttpResult<ApiError> CommandError(ModelCommandResult result, string model) => result.Outcome switch
    {
        ModelCommandOutcome.NotFound => ModelNotFound(model),
        ModelCommandOutcome.Forbidden => ApiErrors.Result(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, result.Detail ?? "Forbidden.",
            result.Field is null ? null : new() { ["field"] = result.Field }),
        ModelCommandOutcome.Conflict => ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, result.Detail ?? "Conflict.",
            result.Field is null ? null : new() { ["field"] = result.Field }),
        _ => ApiErrors.Validation(result.Detail ?? "Invalid model.", result.Field),
    };

    internal static JsonHttpResult<ApiError> ModelNotFound(string model) => ApiErrors.NotFound($"Model '{model}' not found.");

    private static string NewModelId() => "mod_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz234567", 16);
}
