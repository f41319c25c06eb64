using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Usage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.Usage;

public static class UsageEndpoints
{
    public const int MaxTop = 100;

    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/summary", SummaryAsync).WithTags("Usage").RequireApiKey(Permissions.Admin).WithName("UsageSummary")
            .WithSummary("Cluster-wide traffic over the last N UTC days, the busiest models, keys and sources (admin)")
            .WithDescription("?days= (1–90, default 1), ?top= (1–100, default 10). Aggregated from usage events by the usage grains; a few seconds behind live traffic.");
        routes.MapUsageTimelineEndpoints();
        return routes;
    }

    /// <summary>Checks the <c>days</c> query parameter shared by every usage read.</summary>
    public static JsonHttpResult<ApiError>? CheckDays(int days) =>
        days is < 1 or > UsageReader.MaxDays
            ? ApiErrors.Validation($"Query parameter 'days' must be between 1 and {UsageReader.MaxDays}.", "days")
            : null;

    private static async Task<Results<Ok<UsageSummaryResponse>, JsonHttpResult<ApiError>>> SummaryAsync(
        UsageReader reader, UsagePublisher publisher, [FromQuery] int? days, [FromQuery] int? top)
    {
        var period = days ?? 1;
        if (CheckDays(period) is { } invalid)
        {
            return invalid;
        }
        var count = top ?? 10;
        if (count is < 1 or > MaxTop)
        {
            return ApiErrors.Validation($"Query parameter 'top' must be between 1 and {MaxTop}.", "top");
        }
        var totals = await reader.ReadAsync(UsageScopeKind.Cluster, UsageScope.ClusterId, period);
        return TypedResults.Ok(new UsageSummaryResponse(
            UsageReportResponse.Of(totals, reader.Today, period),
            Rank(totals.ByModel, count), Rank(totals.ByKey, count), Rank(totals.BySource, count),
            new UsagePipelineResponse(publisher.Published, publisher.Dropped, publisher.Buffered)));
    }

    private static UsageRankResponse[] Rank(Dictionary<string, long> counts, int top) =>
        counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(top)
            .Select(c => new UsageRankResponse(c.Key, c.Value)).ToArray();
}
