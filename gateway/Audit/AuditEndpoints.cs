using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Audit;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.Audit;

public static class AuditEndpoints
{
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/audit", QueryAsync)
            .WithTags("Audit")
            .RequireApiKey(Permissions.Admin)
            .WithName("QueryAudit")
            .WithSummary("Data accesses, newest first (admin): who, which key and model, source, table, fields, rows, decision, latency")
            .WithDescription("Filter by source, key_id, model_id, decision (allowed, denied, failed), since/until (ISO 8601); page with before_id (the next_before_id of the previous page).");
        return routes;
    }

    private static async Task<Results<Ok<AuditPageResponse>, JsonHttpResult<ApiError>>> QueryAsync(
        IGrainFactory grains,
        [FromQuery] string? source,
        [FromQuery(Name = "key_id")] string? keyId,
        [FromQuery(Name = "model_id")] string? modelId,
        [FromQuery] string? decision,
        [FromQuery] DateTimeOffset? since,
        [FromQuery] DateTimeOffset? until,
        [FromQuery(Name = "before_id")] long? beforeId,
        [FromQuery] int? limit)
    {
        var take = limit ?? 100;
        if (take is < 1 or > MaxLimit)
        {
            return ApiErrors.Validation($"Query parameter 'limit' must be between 1 and {MaxLimit}.", "limit");
        }
        AuditDecision? decisionFilter = null;
        if (decision is not null)
        {
            if (!ModelNames.TryParse<AuditDecision>(decision, out var parsed))
            {
                return ApiErrors.Validation("Query parameter 'decision' must be allowed, denied or failed.", "decision");
            }
            decisionFilter = parsed;
        }
        if (beforeId is < 1)
        {
            return ApiErrors.Validation("Query parameter 'before_id' must be positive.", "before_id");
        }
        var entries = await grains.GetGrain<IAuditLogGrain>(0).QueryAsync(
            new AuditQuery(source, keyId, modelId, decisionFilter, since, until, beforeId, take));
        return TypedResults.Ok(new AuditPageResponse(
            entries.Select(AuditEntryResponse.From).ToArray(),
            entries.Count == take ? entries[^1].Id : null));
    }
}

public sealed record AuditPageResponse(IReadOnlyList<AuditEntryResponse> Entries, long? NextBeforeId);

public sealed record AuditEntryResponse(
    long Id, DateTimeOffset Timestamp, string KeyId, string Owner, string? ModelId, string Source, string? Table,
    IReadOnlyList<string> Fields, string Operation, string Decision, string? Reason, int RowCount, double LatencyMs, bool Cached,
    string? Statement)
{
    public static AuditEntryResponse From(AuditEntry e) => new(e.Id, e.Timestamp, e.KeyId, e.Owner, e.ModelId, e.Source, e.Table,
        e.Fields, e.Operation, ModelNames.Of(e.Decision), e.Reason, e.RowCount, e.LatencyMs, e.Cached, e.Statement);
}
