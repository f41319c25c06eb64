using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.DataSources;

public static class DataSourceEndpoints
{
    public static IEndpointRouteBuilder MapDataSourceEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/datasources").WithTags("Data sources");

        group.MapPost("/", RegisterAsync)
            .ValidateRequest<RegisterDataSourceRequest, DataSourceRegistration, RegisterDataSourceValidator>()
            .RequireApiKey(Permissions.Admin)
            .WithName("RegisterDataSource")
            .WithSummary("Register a data source (admin)")
            .WithDescription("The schema is discovered at once; a source that cannot be reached is registered in status error and picked up by its health loop.");

        group.MapGet("/", ListAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("ListDataSources")
            .WithSummary("Data sources the key may read (all for admins)");

        group.MapGet("/{name}", GetAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetDataSource")
            .WithSummary("Describe a data source (its config, secrets masked, for admins only)");

        group.MapPatch("/{name}", UpdateAsync)
            .ValidateRequest<JsonElement, DataSourcePatch, DataSourcePatchValidator>()
            .RequireApiKey(Permissions.Admin)
            .WithName("UpdateDataSource")
            .WithSummary("Change description, config (JSON merge patch), default access, masks, quotas, caching, refresh interval or disable it (admin)");

        group.MapDelete("/{name}", DeleteAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("DeleteDataSource")
            .WithSummary("Delete a data source with its grants and counters (admin)");

        group.MapGet("/{name}/schema", GetSchemaAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetDataSourceSchema")
            .WithSummary("Tables and fields the key may read, with the masks that apply");

        group.MapGet("/{name}/status", GetStatusAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetDataSourceStatus")
            .WithSummary("Health, schema generation, query totals and cache hit/miss counters");

        group.MapPost("/{name}/refresh", RefreshAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("RefreshDataSource")
            .WithSummary("Discover the schema again and drop every cached result of the source (admin)");

        group.MapGet("/{name}/usage", GetUsageAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetDataSourceUsage")
            .WithSummary("The key's queries and rows today against its quotas (admins: ?key_id=)");

        group.MapGet("/{name}/metrics", GetMetricsAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("GetDataSourceMetrics")
            .WithSummary("Reads of the source by every key over the last ?days= (1–90, default 1) UTC days: errors, latency percentiles, rows, cache hits (admin)");

        group.MapGet("/{name}/grants", ListGrantsAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("ListDataSourceGrants")
            .WithSummary("Every grant on the source (admin)");

        group.MapPut("/{name}/grants/{subject}", SetGrantAsync)
            .ValidateRequest<GrantRequest, DataGrant, GrantRequestValidator>()
            .RequireApiKey(Permissions.Admin)
            .WithName("SetDataSourceGrant")
            .WithSummary("Grant a key (key_…) or every key of an owner (owner:NAME) access to the source (admin)")
            .WithDescription("Tables, fields, row filters and masks per table; raw SQL; per-key daily quotas. Replaces an existing grant.");

        group.MapDelete("/{name}/grants/{subject}", RemoveGrantAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("RemoveDataSourceGrant")
            .WithSummary("Remove a grant (admin)");

        return routes;
    }

    private static async Task<Results<Created<DataSourceResponse>, JsonHttpResult<ApiError>>> RegisterAsync(
        RegisterDataSourceRequest request, HttpContext context, IGrainFactory grains)
    {
        var (name, definition) = context.Validated<DataSourceRegistration>();
        var result = await grains.GetGrain<IDataSourceGrain>(name).RegisterAsync(definition, context.GetRequiredApiKey().KeyId);
        await ChangedHereAsync(grains, name);
        if (result.Outcome != DataCommandOutcome.Ok)
        {
            return CommandError(result);
        }
        return TypedResults.Created($"/api/datasources/{name}", DataSourceResponse.From(result.Source!, withConfig: true));
    }

    private static async Task<Results<Ok<DataSourceListResponse>, JsonHttpResult<ApiError>>> ListAsync(
        HttpContext context, IGrainFactory grains, [FromQuery] int? offset, [FromQuery] int? limit)
    {
        var (skip, take, pagingError) = Paging.Read(offset, limit);
        if (pagingError is not null)
        {
            return pagingError;
        }
        var key = context.GetRequiredApiKey();
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).GetNamesAsync();
        var visible = await Task.WhenAll(names.Select(async name =>
            await ReadableAsync(name, key, grains) is { } grain ? await grain.GetAsync() : null));
        var sources = visible.OfType<DataSourceInfo>().ToArray();
        return TypedResults.Ok(new DataSourceListResponse(
            sources.Skip(skip).Take(take).Select(s => DataSourceResponse.From(s, key.IsAdmin)).ToArray(), sources.Length, skip, take));
    }

    private static async Task<Results<Ok<DataSourceResponse>, JsonHttpResult<ApiError>>> GetAsync(
        string name, HttpContext context, IGrainFactory grains)
    {
        var key = context.GetRequiredApiKey();
        if (await ReadableAsync(name, key, grains) is not { } grain || await grain.GetAsync() is not { } info)
        {
            return NotFound(name);
        }
        return TypedResults.Ok(DataSourceResponse.From(info, key.IsAdmin));
    }

    private static async Task<Results<Ok<DataSourceResponse>, JsonHttpResult<ApiError>>> UpdateAsync(
        string name, JsonElement body, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name))
        {
            return NotFound(name);
        }
        var result = await grains.GetGrain<IDataSourceGrain>(name).UpdateAsync(context.Validated<DataSourcePatch>(), context.GetRequiredApiKey().KeyId);
        await ChangedHereAsync(grains, name);
        return result.Outcome == DataCommandOutcome.Ok ? TypedResults.Ok(DataSourceResponse.From(result.Source!, withConfig: true)) : CommandError(result);
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteAsync(string name, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || !await grains.GetGrain<IDataSourceGrain>(name).DeleteAsync(context.GetRequiredApiKey().KeyId))
        {
            return NotFound(name);
        }
        await ChangedHereAsync(grains, name);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DataSourceSchemaResponse>, JsonHttpResult<ApiError>>> GetSchemaAsync(
        string name, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || await grains.GetGrain<IDataSourceGrain>(name).GetSchemaAsync(Caller(context.GetRequiredApiKey())) is not { } schema)
        {
            return NotFound(name);
        }
        return TypedResults.Ok(DataSourceSchemaResponse.From(schema));
    }

    private static async Task<Results<Ok<DataSourceStatusResponse>, JsonHttpResult<ApiError>>> GetStatusAsync(
        string name, HttpContext context, IGrainFactory grains)
    {
        // Through this silo's executor, which first sends the counters it has not reported yet.
        if (await ReadableAsync(name, context.GetRequiredApiKey(), grains) is null
            || await grains.GetGrain<IDataSourceExecutorGrain>(name).GetStatusAsync() is not { } status)
        {
            return NotFound(name);
        }
        return TypedResults.Ok(DataSourceStatusResponse.From(status));
    }

    private static async Task<Results<Ok<UsageReportResponse>, JsonHttpResult<ApiError>>> GetMetricsAsync(
        string name, HttpContext context, IGrainFactory grains, UsageReader reader, [FromQuery] int? days)
    {
        var period = days ?? 1;
        if (UsageEndpoints.CheckDays(period) is { } invalid)
        {
            return invalid;
        }
        if (!await MetricsReadableAsync(name, context, grains))
        {
            return NotFound(name);
        }
        var traffic = await reader.ReadAsync(Mcp.Cluster.Usage.UsageScopeKind.Source, name, period);
        return TypedResults.Ok(UsageReportResponse.Of(traffic, reader.Today, period));
    }

    /// <summary>
    /// Whether the caller (an admin: the route requires it) may read the source's traffic by every key: the source
    /// exists and is readable. Shared by the source's usage timeline, which shows the same cross-key traffic.
    /// </summary>
    internal static async Task<bool> MetricsReadableAsync(string name, HttpContext context, IGrainFactory grains) =>
        await ReadableAsync(name, context.GetRequiredApiKey(), grains) is { } grain && await grain.GetStatusAsync() is not null;

    private static async Task<Results<Ok<DataSourceResponse>, JsonHttpResult<ApiError>>> RefreshAsync(
        string name, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name))
        {
            return NotFound(name);
        }
        var result = await grains.GetGrain<IDataSourceGrain>(name).RefreshAsync(context.GetRequiredApiKey().KeyId);
        await ChangedHereAsync(grains, name);
        return result.Outcome switch
        {
            DataCommandOutcome.Ok => TypedResults.Ok(DataSourceResponse.From(result.Source!, withConfig: true)),
            DataCommandOutcome.Invalid => ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.DataSourceUnavailable, result.Detail!),
            _ => CommandError(result),
        };
    }

    private static async Task<Results<Ok<DataSourceUsageResponse>, JsonHttpResult<ApiError>>> GetUsageAsync(
        string name, HttpContext context, IGrainFactory grains, [FromQuery(Name = "key_id")] string? keyId)
    {
        var key = context.GetRequiredApiKey();
        if (keyId is not null && string.IsNullOrWhiteSpace(keyId))
        {
            // An empty id is no grain key (the grain factory throws); it is the caller's mistake.
            return ApiErrors.Validation("Query parameter 'key_id' must be a key id (key_…) when given.", "key_id");
        }
        var (subjectKey, owner) = (key.KeyId, key.Owner);
        if (keyId is not null && keyId != key.KeyId)
        {
            if (!key.IsAdmin)
            {
                return ApiErrors.Forbidden("Only admins may read another key's usage.");
            }
            var other = await grains.GetGrain<IApiKeyGrain>(keyId).GetAsync();
            if (other is null)
            {
                return ApiErrors.NotFound($"API key '{keyId}' not found.");
            }
            (subjectKey, owner) = (keyId, other.Owner);
        }
        if (await ReadableAsync(name, key, grains) is null || await grains.GetGrain<IDataSourceExecutorGrain>(name).GetUsageAsync(subjectKey, owner) is not { } usage)
        {
            return NotFound(name);
        }
        return TypedResults.Ok(DataSourceUsageResponse.From(usage));
    }

    private static async Task<Results<Ok<GrantResponse[]>, JsonHttpResult<ApiError>>> ListGrantsAsync(string name, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || await grains.GetGrain<IDataSourceGrain>(name).GetGrantsAsync() is not { } grants)
        {
            return NotFound(name);
        }
        return TypedResults.Ok(grants.Select(GrantResponse.From).ToArray());
    }

    private static async Task<Results<Ok<GrantResponse>, JsonHttpResult<ApiError>>> SetGrantAsync(
        string name, string subject, GrantRequest request, HttpContext context, IGrainFactory grains)
    {
        var grant = context.Validated<DataGrant>();
        if (!DataRequestReader.IsValidName(name))
        {
            return NotFound(name);
        }
        if (subject.StartsWith(DataAccessPolicy.OwnerPrefix, StringComparison.Ordinal))
        {
            // Granting to an owner nobody holds yet must not hand the grant to whoever claims that name first.
            await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).ReserveOwnerAsync(subject[DataAccessPolicy.OwnerPrefix.Length..]);
        }
        var grain = grains.GetGrain<IDataSourceGrain>(name);
        var result = await grain.SetGrantAsync(subject, grant, context.GetRequiredApiKey().KeyId);
        await ChangedHereAsync(grains, name);
        if (result.Outcome != DataCommandOutcome.Ok)
        {
            return CommandError(result);
        }
        var stored = (await grain.GetGrantsAsync())?.FirstOrDefault(g => g.Subject == subject);
        return stored is null ? NotFound(name) : TypedResults.Ok(GrantResponse.From(stored));
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> RemoveGrantAsync(
        string name, string subject, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || !await grains.GetGrain<IDataSourceGrain>(name).RemoveGrantAsync(subject, context.GetRequiredApiKey().KeyId))
        {
            return ApiErrors.NotFound($"Data source '{name}' has no grant for '{subject}'.");
        }
        await ChangedHereAsync(grains, name);
        return TypedResults.NoContent();
    }

    /// <summary>The source's grain when the key may see it (admins: any); sources it may not read answer 404 like missing ones.</summary>
    private static async Task<IDataSourceGrain?> ReadableAsync(string name, ApiKeyPrincipal key, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name))
        {
            return null;
        }
        var grain = grains.GetGrain<IDataSourceGrain>(name);
        return key.IsAdmin || await grain.CanReadAsync(Caller(key)) ? grain : null;
    }

    /// <summary>
    /// Reads through this gateway see a change it just made: its silo's executors fetch the source's policy again on
    /// their next read (the change stream tells other silos; their policy lease bounds how late).
    /// </summary>
    private static Task ChangedHereAsync(IGrainFactory grains, string name) =>
        grains.GetGrain<IDataSourceExecutorGrain>(name).PolicyChangedAsync();

    internal static DataCaller Caller(ApiKeyPrincipal key) => new(key.KeyId, key.Owner, key.IsAdmin, Permissions: key.Permissions);

    internal static JsonHttpResult<ApiError> NotFound(string name) => ApiErrors.NotFound($"Data source '{name}' not found.");

    private static JsonHttpResult<ApiError> CommandError(DataCommandResult result) => result.Outcome switch
    {
        DataCommandOutcome.NotFound => ApiErrors.NotFound(result.Detail ?? "Data source not found."),
        DataCommandOutcome.Conflict => ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, result.Detail!,
            result.Field is null ? null : new() { ["field"] = result.Field }),
        DataCommandOutcome.Forbidden => ApiErrors.Forbidden(result.Detail!),
        _ => ApiErrors.Validation(result.Detail ?? "Invalid request.", result.Field),
    };
}
