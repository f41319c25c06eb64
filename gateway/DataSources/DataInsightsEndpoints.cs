using System.Globalization;
using System.Text.Json.Serialization;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Insights;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// <c>GET /api/datasources/{name}/insights</c>: the source's query shapes with latency, rows, cache use and advice
/// (admin). The shapes and the advice are the insights grain's; this only reads the parameters and writes the answer.
/// </summary>
public static class DataInsightsEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapDataInsightsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/datasources/{name}/insights").WithTags("Data sources");

        group.MapGet("", GetAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("GetDataSourceInsights")
            .WithSummary("Query shapes of the source (values removed) with counts, latency, rows, cache hits and advice (admin)")
            .WithDescription("?limit= (1–100, default 20) shapes, ?sort=frequent (default) or slowest. Advice: missing_index (with a CREATE INDEX to consider; never run), " +
                "non_sargable_filter, unbounded_scan, always_cached, never_cached. Reads arrive in batches, up to DataSources:UsageReportInterval late.");

        return routes;
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, IGrainFactory grains,
        [FromQuery] string? limit, [FromQuery] string? sort)
    {
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            return ApiErrors.Validation($"Query parameter 'limit' must be a whole number from 1 to {MaxLimit}.", "limit");
        }
        var order = DataInsightsSort.Frequent;
        if (sort is not null && !ModelNames.TryParse(sort, out order))
        {
            return ApiErrors.Validation("Query parameter 'sort' must be 'frequent' or 'slowest'.", "sort");
        }
        if (!DataRequestReader.IsValidName(name))
        {
            return DataSourceEndpoints.NotFound(name);
        }
        var caller = DataSourceEndpoints.Caller(context.GetRequiredApiKey());
        var report = await grains.GetGrain<IDataQueryInsightsGrain>(name).GetReportAsync(take, order, caller);
        return report is null ? DataSourceEndpoints.NotFound(name) : TypedResults.Ok(DataInsightsResponse.From(report));
    }
}

public sealed record DataInsightsResponse(
    string Source,
    DateTimeOffset? Since,
    long Queries,
    IReadOnlyList<DataShapeResponse> Shapes,
    IReadOnlyList<string> Slowest,
    IReadOnlyList<string> Frequent)
{
    public static DataInsightsResponse From(DataInsightsReport report) =>
        new(report.Source, report.Since, report.Queries, report.Shapes.Select(DataShapeResponse.From).ToArray(), report.Slowest, report.Frequent);
}

/// <summary>
/// One shape. <c>kind</c> is <c>query</c> (structured) or <c>sql</c>; <c>statement</c> is the read without its values
/// (the normalized SQL, or the structured query written as a statement); <c>fields</c> is how many fields the query
/// named (0: all); <c>index_information</c> says whether the source reports the table's indexes (index advice needs them).
/// </summary>
public sealed record DataShapeResponse(
    string Id,
    string Kind,
    string? Table,
    IReadOnlyList<DataShapeFilterResponse> Filters,
    IReadOnlyList<string> OrderBy,
    bool Limit,
    bool Aggregates,
    bool GroupBy,
    int Fields,
    string Statement,
    long Count,
    long Failures,
    double AvgMs,
    double P95Ms,
    double MaxMs,
    double RowsAvg,
    long RowsMax,
    double? CacheHitRate,
    DateTimeOffset LastSeen,
    bool IndexInformation,
    IReadOnlyList<DataSuggestionResponse> Suggestions)
{
    public static DataShapeResponse From(DataShapeInsight insight)
    {
        var shape = insight.Shape;
        return new DataShapeResponse(shape.Id, shape.Kind, shape.Table,
            shape.Filters.Select(f => new DataShapeFilterResponse(f.Field, ModelNames.Of(f.Operator))).ToArray(),
            shape.OrderBy.Select(o => o.Descending ? "-" + o.Field : o.Field).ToArray(),
            shape.HasLimit, shape.HasAggregates, shape.HasGroupBy, shape.FieldCount, shape.Statement,
            insight.Count, insight.Failures, insight.AvgMs, insight.P95Ms, insight.MaxMs, insight.RowsAvg, insight.RowsMax, insight.CacheHitRate,
            insight.LastSeen, insight.IndexesKnown,
            insight.Suggestions.Select(s => new DataSuggestionResponse(s.Kind, s.Detail, s.Field)).ToArray());
    }
}

public sealed record DataShapeFilterResponse(string Field, string Op);

public sealed record DataSuggestionResponse(
    string Kind,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field);
