using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.Logs;

public static class LogEndpoints
{
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapLogEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/logs", Read).WithTags("Logs").RequireApiKey(Permissions.Admin).WithName("RecentLogs")
            .WithSummary("Recent structured log entries of this gateway process, newest first (admin)")
            .WithDescription("?level= (trace … critical, default information), ?category= (prefix), ?limit= (≤ 1000), ?before= (the next_before of the previous page).");
        return routes;
    }

    private static Results<Ok<LogPageResponse>, JsonHttpResult<ApiError>> Read(
        RecentLogs logs, [FromQuery] string? level, [FromQuery] string? category, [FromQuery] int? limit, [FromQuery] long? before)
    {
        var minimum = LogLevel.Information;
        if (level is not null && (!Enum.TryParse(level, ignoreCase: true, out minimum) || minimum == LogLevel.None))
        {
            return ApiErrors.Validation("Query parameter 'level' must be trace, debug, information, warning, error or critical.", "level");
        }
        var take = limit ?? 100;
        if (take is < 1 or > MaxLimit)
        {
            return ApiErrors.Validation($"Query parameter 'limit' must be between 1 and {MaxLimit}.", "limit");
        }
        var entries = logs.Read(minimum, category, before, take);
        return TypedResults.Ok(new LogPageResponse(entries, entries.Count == take ? entries[^1].Sequence : null));
    }
}

public sealed record LogPageResponse(IReadOnlyList<LogEntry> Entries, long? NextBefore);
