using System.Globalization;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Gateway.Usage;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// What a given key would see of a source, for the admin console's grants editor. The source's executor decides it
/// with the governance of the key's own reads; this endpoint only finds the key and words the answer.
/// </summary>
public static class DataSourcePreviewEndpoints
{
    public const int DefaultRows = 5;

    public static IEndpointRouteBuilder MapDataSourcePreviewEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/datasources/{name}/preview", PreviewAsync)
            .WithTags("Data sources")
            .RequireApiKey(Permissions.Admin)
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithName("PreviewDataSourceForKey")
            .WithSummary("What a key would see of the source: its columns (hidden ones listed as not visible), masks, row filters and first rows (admin)")
            .WithDescription($"?key_id=key_… (required), ?table= (else every table, up to DataSources:MaxPreviewTables), ?limit= rows per table (1–{DataPreview.MaxRows}, default {DefaultRows}). " +
                "A key that may not read the source (no grant, no read permission, revoked, expired, source disabled) is answered with \"readable\": false and the reason. " +
                "Audited as operation 'preview' by the admin key, with the previewed key in the reason; never counted against that key's quotas.");
        return routes;
    }

    private static async Task<IResult> PreviewAsync(
        string name,
        HttpContext context,
        IGrainFactory grains,
        TimeProvider time,
        [FromQuery(Name = "key_id")] string? keyId,
        [FromQuery] string? table,
        [FromQuery] string? limit)
    {
        var rows = DefaultRows;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out rows) || rows is < 1 or > DataPreview.MaxRows))
        {
            return ApiErrors.Validation($"Query parameter 'limit' must be a whole number between 1 and {DataPreview.MaxRows}.", "limit");
        }
        if (string.IsNullOrEmpty(keyId))
        {
            return ApiErrors.Validation("Query parameter 'key_id' is required: the key (key_…) whose view to preview.", "key_id");
        }
        if (!keyId.StartsWith("key_", StringComparison.Ordinal) || !DataAccessPolicy.IsValidSubject(keyId))
        {
            return ApiErrors.Validation("Query parameter 'key_id' must be a key id (key_…).", "key_id");
        }
        if (table is not null && (table.Length is 0 or > 256 || table.Any(char.IsControl)))
        {
            return ApiErrors.Validation("Query parameter 'table' must be a table name of the source.", "table");
        }
        if (!DataRequestReader.IsValidName(name) || await grains.GetGrain<IDataSourceGrain>(name).GetAsync() is null)
        {
            return DataSourceEndpoints.NotFound(name);
        }
        if (await grains.GetGrain<IApiKeyGrain>(keyId).GetAsync() is not { } key)
        {
            return ApiErrors.Result(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"API key '{keyId}' not found.", new() { ["field"] = "key_id" });
        }

        // A revoked or expired key is refused before any source sees it, so the preview says so rather than asking one.
        var status = key.StatusAt(time.GetUtcNow());
        if (status != ApiKeyStatus.Active)
        {
            var reason = status == ApiKeyStatus.Revoked
                ? $"Key {key.KeyId} was revoked at {key.RevokedAt:O}."
                : $"Key {key.KeyId} expired at {key.ExpiresAt:O}.";
            return new DataSourcePreviewResponse(name, key, DataPreview.NotReadable(reason), status);
        }

        var subject = DataSourceEndpoints.Caller(new ApiKeyPrincipal(key.KeyId, key.Owner, key.Permissions));
        var previewer = DataSourceEndpoints.Caller(context.GetRequiredApiKey());
        var preview = await grains.GetGrain<IDataSourceExecutorGrain>(name).PreviewAsync(subject, previewer, table, rows);
        if (preview.Outcome != DataQueryOutcome.Ok)
        {
            return DataQueryEndpoints.Answer(context, DataQueryResult.Refused(preview.Outcome, preview.Detail!, preview.Field), name, table, null, 0);
        }
        // The admin's request read these rows (its usage event names the source); the key's usage is untouched.
        context.Usage().RecordRead(name, new DataQueryResult(DataQueryOutcome.Ok, RowCount: preview.Tables?.Sum(t => t.RowCount) ?? 0), cacheable: false);
        return new DataSourcePreviewResponse(name, key, preview, status);
    }
}
