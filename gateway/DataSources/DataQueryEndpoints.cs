using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.DataSources;

public static class DataQueryEndpoints
{
    public static IEndpointRouteBuilder MapDataQueryEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/data").WithTags("Data");

        // The read permission is checked by the data source grain, so that a refusal is audited like any other.
        group.MapPost("/query", QueryAsync)
            .ValidateRequest<DataQueryRequest, DataQuery, DataQueryValidator>()
            .RequireApiKey(Permissions.None)
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithName("QueryData")
            .WithSummary("Read a table of a data source: fields, filters, order, paging")
            .WithDescription("Compiled to a parameterized query; the key's grant decides the tables, fields, rows and masks. Every read, allowed or denied, is audited. " +
                "Also takes the user guide's shorthand {\"source\": \"jobs_db\", \"query\": {\"title\": \"Software Engineer\", \"posted_date\": \"last_6m\"}}: field: value equality, " +
                "last_{n}{d|w|m|y} periods on date and datetime fields, and without 'table' the source's only table (else the only one with every named field).");

        group.MapPost("/sql", SqlAsync)
            .ValidateRequest<DataSqlRequest, DataSqlRequest, DataSqlValidator>()
            .RequireApiKey(Permissions.None)
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithName("QueryDataSql")
            .WithSummary("Run one read-only SQL statement (needs a grant with \"sql\": true, or an admin key)")
            .WithDescription("SQLite: one SELECT on a read-only, sandboxed connection that can read the source's own tables only (no ATTACH, PRAGMA, VACUUM, transactions, writes). PostgreSQL: one reading statement in a READ ONLY transaction that is rolled back. At most max_rows rows (the answer says when cut); a result over DataSources:MaxResultBytes, or a value over DataSources:MaxValueBytes, is refused with 422 result_too_large. Refused with 403 wherever the key's grant hides fields, rows or masks values.");

        return routes;
    }

    private static async Task<IResult> QueryAsync(DataQueryRequest request, HttpContext context, IGrainFactory grains)
    {
        var query = context.Validated<DataQuery>();
        if (!DataRequestReader.IsValidName(request.Source))
        {
            return SourceNotFound(request.Source ?? "");
        }
        var (caller, callerError) = await CallerAsync(context, grains, request.Model, request.Source);
        if (callerError is not null)
        {
            return callerError;
        }
        // The silo's executor runs the read; its source's grain is only asked when a quota must admit it.
        var result = await grains.GetGrain<IDataSourceExecutorGrain>(request.Source).QueryAsync(query, caller!);
        context.Usage().RecordRead(request.Source, result, cacheable: true);
        if (request.Query is { ValueKind: JsonValueKind.Object } && result.Field is { } field && field.StartsWith("filters", StringComparison.Ordinal))
        {
            // The source speaks of the query's filters; the caller wrote them as 'query'.
            result = result with { Field = "query" + field["filters".Length..] };
        }
        return Answer(context, result, request.Source, result.Table ?? query.Table, request.Limit, query.Offset);
    }

    private static async Task<IResult> SqlAsync(DataSqlRequest request, HttpContext context, IGrainFactory grains)
    {
        if (request.Source is null)
        {
            var (found, problem) = await SourceOfStatementAsync(request.Sql!, context, grains);
            if (found is null)
            {
                return problem!;
            }
            request = request with { Source = found };
        }
        if (!DataRequestReader.IsValidName(request.Source))
        {
            return SourceNotFound(request.Source ?? "");
        }
        var (caller, callerError) = await CallerAsync(context, grains, request.Model, request.Source);
        if (callerError is not null)
        {
            return callerError;
        }
        var result = await grains.GetGrain<IDataSourceExecutorGrain>(request.Source).ExecuteSqlAsync(request.Sql!, request.MaxRows, caller!);
        context.Usage().RecordRead(request.Source, result, cacheable: false);
        return Answer(context, result, request.Source, null, null, 0);
    }

    /// <summary>
    /// The source a statement without one is meant for: the only source the key may read that has a table the statement
    /// reads (by name, case-insensitive). Only sources the key may read are looked at, so the answer reveals no other.
    /// </summary>
    private static async Task<(string? Source, IResult? Problem)> SourceOfStatementAsync(string sql, HttpContext context, IGrainFactory grains)
    {
        var tables = SqlTableNames.Read(sql);
        if (tables.Count == 0)
        {
            return (null, ApiErrors.Validation("Name the data source with 'source': the statement reads no table by which to find it.", "source"));
        }
        var schemas = await context.RequestServices.GetRequiredService<McpProtocol.DataResources>().ReadableSchemasAsync(context.GetRequiredApiKey());
        var candidates = schemas
            .Where(s => s.Tables.Any(t => tables.Contains(t.Name, StringComparer.OrdinalIgnoreCase)))
            .Select(s => s.Name).ToArray();
        return candidates.Length switch
        {
            1 => (candidates[0], null),
            0 => (null, ApiErrors.Validation(
                $"No data source you may read has a table named {string.Join(" or ", tables.Select(t => $"'{t}'"))}; name the source with 'source'.", "source")),
            _ => (null, ApiErrors.Validation(
                $"Several data sources you may read have a table named {string.Join(" or ", tables.Select(t => $"'{t}'"))} ({string.Join(", ", candidates)}); name one with 'source'.", "source")),
        };
    }

    /// <summary>Word for word what the grain answers for a source that does not exist or that the caller may not see.</summary>
    private static IResult SourceNotFound(string source) =>
        ApiErrors.Result(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Data source '{source}' not found.", new() { ["field"] = "source" });

    /// <summary>The caller, and for a read on a model's behalf the model and what it declared for this source.</summary>
    internal static async Task<(DataCaller? Caller, IResult? Error)> CallerAsync(HttpContext context, IGrainFactory grains, string? model, string source)
    {
        var caller = DataSourceEndpoints.Caller(context.GetRequiredApiKey());
        if (model is null)
        {
            return (caller, null);
        }
        var modelId = await context.RequestServices.GetRequiredService<ModelResolver>().ResolveAsync(model);
        var info = modelId is null ? null : await grains.GetGrain<IModelGrain>(modelId).GetAsync();
        if (info is null)
        {
            return (null, ApiErrors.NotFound($"Model '{model}' not found."));
        }
        var declared = info.DataSources.FirstOrDefault(d => string.Equals(d.Name, source, StringComparison.Ordinal));
        return (caller with { ModelId = info.ModelId, ModelDeclaration = declared }, null);
    }

    internal static IResult Answer(HttpContext context, DataQueryResult result, string source, string? table, int? limit, int offset,
        Action<System.Text.Json.Utf8JsonWriter>? more = null)
    {
        var extra = result.Field is null ? null : new Dictionary<string, object?> { ["field"] = result.Field };
        switch (result.Outcome)
        {
            case DataQueryOutcome.Ok:
                return new DataQueryResponse(source, table, result, limit, offset, truncated: table is null && result.Detail is not null, more);
            case DataQueryOutcome.NotFound:
                return ApiErrors.Result(StatusCodes.Status404NotFound, ErrorCodes.NotFound, result.Detail!, extra);
            case DataQueryOutcome.Invalid:
                return ApiErrors.Result(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, result.Detail!, extra);
            case DataQueryOutcome.SourceError:
                return ApiErrors.Result(StatusCodes.Status400BadRequest, ErrorCodes.SqlError, result.Detail!, extra);
            case DataQueryOutcome.Forbidden:
                return ApiErrors.Result(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, result.Detail!, extra);
            case DataQueryOutcome.QuotaExceeded:
                var reset = result.QuotaResetAt ?? DateTimeOffset.UtcNow.AddDays(1);
                RetryAfterHeader.Set(context.Response, reset - DateTimeOffset.UtcNow);
                return ApiErrors.Result(StatusCodes.Status429TooManyRequests, ErrorCodes.QuotaExceeded, result.Detail!,
                    new() { ["quota"] = "data_source", ["source"] = source, ["reset_time"] = reset.ToUnixTimeSeconds() });
            case DataQueryOutcome.TooLarge:
                return ApiErrors.Result(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ResultTooLarge, result.Detail!);
            case DataQueryOutcome.Timeout:
                return ApiErrors.Result(StatusCodes.Status504GatewayTimeout, ErrorCodes.QueryTimeout, result.Detail!);
            default:
                context.Response.Headers.RetryAfter = "5";
                return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.DataSourceUnavailable, result.Detail!);
        }
    }
}
