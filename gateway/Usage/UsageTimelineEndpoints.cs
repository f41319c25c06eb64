using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.DataSources;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using Mcp.Cluster.Usage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>
/// Per-minute usage of the cluster, a key, a model and a data source, for live charts. Each timeline answers exactly
/// the callers its sibling report answers, through the sibling's own check: <c>GET /summary</c> (admin),
/// <c>GET /api/keys/{key_id}/usage</c> (the key itself, or an admin), <c>GET /api/models/{model}/metrics</c> (read) and
/// <c>GET /api/datasources/{name}/metrics</c> (admin: a source's timeline is every key's reads of it, which the
/// per-key <c>/usage</c> of a source does not show a non-admin).
/// </summary>
public static class UsageTimelineEndpoints
{
    private const string Query = "?minutes= (5–1440, default 60), ?step= (1, 5, 15 or 60 minutes; default the finest giving at most 120 points). "
        + "One point per step, oldest first, the step in progress last; a few seconds behind live traffic.";

    public static IEndpointRouteBuilder MapUsageTimelineEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/summary/timeline", ClusterAsync).WithTags("Usage").RequireApiKey(Permissions.Admin).WithName("UsageSummaryTimeline")
            .WithSummary("The cluster's requests, errors, tokens, rows and latency per minute over the last 24 hours at most (admin)")
            .WithDescription(Query).AddOpenApiOperationTransformer(DescribeQuery);
        routes.MapGet("/api/keys/{key_id}/usage/timeline", KeyAsync).WithTags("API keys").RequireApiKey(Permissions.Read).WithName("GetApiKeyUsageTimeline")
            .WithSummary("A key's traffic per minute (its own key, or any for admins)")
            .WithDescription(Query).AddOpenApiOperationTransformer(DescribeQuery);
        routes.MapGet("/api/models/{model}/metrics/timeline", ModelAsync).WithTags("Models").RequireApiKey(Permissions.Read).WithName("GetModelMetricsTimeline")
            .WithSummary("Requests to a model per minute (id, name, name@version or name@alias)")
            .WithDescription(Query).AddOpenApiOperationTransformer(DescribeQuery);
        routes.MapGet("/api/datasources/{name}/usage/timeline", SourceAsync).WithTags("Data sources").RequireApiKey(Permissions.Admin)
            .WithName("GetDataSourceUsageTimeline")
            .WithSummary("Reads of a data source by every key per minute (admin)")
            .WithDescription(Query).AddOpenApiOperationTransformer(DescribeQuery);
        return routes;
    }

    /// <summary>
    /// The parameters are read as text so a malformed one gets the same 400 naming it as an out-of-range one; the
    /// document still says what they are.
    /// </summary>
    private static Task DescribeQuery(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            (parameter.Schema, parameter.Description) = parameter.Name switch
            {
                "minutes" => (new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                    $"How far back, in minutes: {UsageTimelineWindow.MinMinutes}–{UsageTimelineWindow.MaxMinutes}, default {UsageTimelineWindow.DefaultMinutes}."),
                "step" => (new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                    $"Minutes per point: {string.Join(", ", UsageTimelineWindow.Steps)}; default the finest giving at most {UsageTimelineWindow.MaxDefaultPoints} points."),
                _ => (parameter.Schema, parameter.Description),
            };
        }
        return Task.CompletedTask;
    }

    private static async Task<Results<Ok<UsageTimelineResponse>, JsonHttpResult<ApiError>>> ClusterAsync(
        UsageReader reader, [FromQuery] string? minutes, [FromQuery] string? step)
    {
        if (UsageTimelineWindow.TryRead(minutes, step, out var window) is { } invalid)
        {
            return invalid;
        }
        return await TimelineAsync(reader, UsageScopeKind.Cluster, UsageScope.ClusterId, window);
    }

    private static async Task<Results<Ok<UsageTimelineResponse>, JsonHttpResult<ApiError>>> KeyAsync(
        [FromRoute(Name = "key_id")] string keyId, HttpContext context, IGrainFactory grains, UsageReader reader,
        [FromQuery] string? minutes, [FromQuery] string? step)
    {
        if (UsageTimelineWindow.TryRead(minutes, step, out var window) is { } invalid)
        {
            return invalid;
        }
        if (await ApiKeyEndpoints.UsageVisibleToCallerAsync(keyId, context, grains) is null)
        {
            return ApiKeyRefusals.KeyNotFound(keyId);
        }
        return await TimelineAsync(reader, UsageScopeKind.Key, keyId, window);
    }

    private static async Task<Results<Ok<UsageTimelineResponse>, JsonHttpResult<ApiError>>> ModelAsync(
        string model, IGrainFactory grains, ModelResolver models, UsageReader reader, [FromQuery] string? minutes, [FromQuery] string? step)
    {
        if (UsageTimelineWindow.TryRead(minutes, step, out var window) is { } invalid)
        {
            return invalid;
        }
        var modelId = await models.ResolveAsync(model);
        if (modelId is null || await grains.GetGrain<IModelGrain>(modelId).GetAsync() is null)
        {
            return ModelEndpoints.ModelNotFound(model);
        }
        return await TimelineAsync(reader, UsageScopeKind.Model, modelId, window);
    }

    private static async Task<Results<Ok<UsageTimelineResponse>, JsonHttpResult<ApiError>>> SourceAsync(
        string name, HttpContext context, IGrainFactory grains, UsageReader reader, [FromQuery] string? minutes, [FromQuery] string? step)
    {
        if (UsageTimelineWindow.TryRead(minutes, step, out var window) is { } invalid)
        {
            return invalid;
        }
        if (!await DataSourceEndpoints.MetricsReadableAsync(name, context, grains))
        {
            return DataSourceEndpoints.NotFound(name);
        }
        return await TimelineAsync(reader, UsageScopeKind.Source, name, window);
    }

    private static async Task<Ok<UsageTimelineResponse>> TimelineAsync(UsageReader reader, UsageScopeKind kind, string id, UsageTimelineWindow window)
    {
        var now = reader.Now;
        var timeline = await reader.ReadTimelineAsync(kind, id, window.FirstMinute(UsageTimeline.MinuteOf(now)), now);
        return TypedResults.Ok(UsageTimelineResponse.Of(kind, id, timeline, window, now));
    }
}
