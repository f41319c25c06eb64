using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.McpProtocol;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Integrations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Integrations;

/// <summary>Upstream MCP servers (admin): register, list, describe, refresh, remove. Their tools, resources and prompts appear on <c>/mcp</c> under their name.</summary>
public static partial class IntegrationEndpoints
{
    public const int MaxHeaders = 32;

    public static IEndpointRouteBuilder MapIntegrationEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/integrations").WithTags("Integrations");
        group.MapPost("/", RegisterAsync).RequireApiKey(Permissions.Admin).WithName("RegisterIntegration")
            .ValidateRequest<IntegrationRequest, IntegrationDefinition, IntegrationRequestValidator>()
            .WithSummary("Register an upstream MCP server (Streamable HTTP) under a namespace; it must answer at once");
        // Reading is admin-only too: an integration's record holds its upstream URL (an internal address, often) and
        // its status. MCP clients never need it; they see the upstream's tools through /mcp and /tools.
        group.MapGet("/", ListAsync).RequireApiKey(Permissions.Admin).WithName("ListIntegrations").WithSummary("Registered upstream MCP servers");
        group.MapGet("/{name}", GetAsync).RequireApiKey(Permissions.Admin).WithName("GetIntegration").WithSummary("One upstream server: status and what it offers");
        group.MapPost("/{name}/refresh", RefreshAsync).RequireApiKey(Permissions.Admin).WithName("RefreshIntegration")
            .WithSummary("List the upstream's tools, resources and prompts again");
        group.MapDelete("/{name}", DeleteAsync).RequireApiKey(Permissions.Admin).WithName("DeleteIntegration").WithSummary("Remove an upstream server");
        return routes;
    }

    private static async Task<Results<Created<IntegrationResponse>, JsonHttpResult<ApiError>>> RegisterAsync(
        IntegrationRequest request, HttpContext context, IGrainFactory grains)
    {
        var definition = context.Validated<IntegrationDefinition>();
        var key = context.GetRequiredApiKey();
        var result = await grains.GetGrain<IIntegrationGrain>(request.Name!).RegisterAsync(definition, key.KeyId, key.IsAdmin);
        return result.Outcome switch
        {
            IntegrationCommandOutcome.Ok => TypedResults.Created($"/integrations/{request.Name}", IntegrationResponse.From(result.Integration!)),
            IntegrationCommandOutcome.Conflict => ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, result.Detail!, new() { ["field"] = "name" }),
            IntegrationCommandOutcome.Forbidden => ApiErrors.Result(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, result.Detail!,
                result.Field is null ? null : new() { ["field"] = result.Field }),
            _ => ApiErrors.Validation(result.Detail!, result.Field),
        };
    }

    private static async Task<Ok<IntegrationListResponse>> ListAsync(IGrainFactory grains)
    {
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.Integrations).GetNamesAsync();
        var infos = await Task.WhenAll(names.Select(n => grains.GetGrain<IIntegrationGrain>(n).GetAsync()));
        return TypedResults.Ok(new IntegrationListResponse(infos.OfType<IntegrationInfo>().Select(IntegrationResponse.From).ToArray()));
    }

    private static async Task<Results<Ok<IntegrationResponse>, JsonHttpResult<ApiError>>> GetAsync(string name, IGrainFactory grains)
    {
        if (!Name().IsMatch(name) || await grains.GetGrain<IIntegrationGrain>(name).GetAsync() is not { } info)
        {
            return ApiErrors.NotFound($"Integration '{name}' not found.");
        }
        return TypedResults.Ok(IntegrationResponse.From(info));
    }

    private static async Task<Results<Ok<IntegrationResponse>, JsonHttpResult<ApiError>>> RefreshAsync(string name, IGrainFactory grains)
    {
        var result = Name().IsMatch(name) ? await grains.GetGrain<IIntegrationGrain>(name).RefreshAsync() : null;
        return result?.Outcome switch
        {
            IntegrationCommandOutcome.Ok => TypedResults.Ok(IntegrationResponse.From(result.Integration!)),
            IntegrationCommandOutcome.Invalid => ApiErrors.Result(StatusCodes.Status502BadGateway, ErrorCodes.UpstreamError, result.Detail!),
            _ => ApiErrors.NotFound($"Integration '{name}' not found."),
        };
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteAsync(string name, IGrainFactory grains) =>
        Name().IsMatch(name) && await grains.GetGrain<IIntegrationGrain>(name).DeleteAsync()
            ? TypedResults.NoContent()
            : ApiErrors.NotFound($"Integration '{name}' not found.");

    internal static bool IsValidName(string name) => Name().IsMatch(name);

    internal static bool IsValidHeaderName(string name) => HeaderName().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z0-9-]{1,100}$")]
    private static partial Regex HeaderName();
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record IntegrationRequest
{
    /// <summary>The namespace: its tools appear as {name}.{tool}.</summary>
    [Required]
    public string? Name { get; init; }

    /// <summary>The upstream server's Streamable HTTP endpoint.</summary>
    [Required]
    public string? Url { get; init; }

    /// <summary>Headers sent with every request (e.g. Authorization); secret values are encrypted at rest, or give ${VAR} references.</summary>
    public Dictionary<string, string>? Headers { get; init; }

    public string? Description { get; init; }

    /// <summary>Serve its tools, prompts, resources and templates under their own names (our model.* and data.* tools still win).</summary>
    public bool? ExposeUnprefixed { get; init; }
}

public sealed record IntegrationResponse(
    string Name, string Url, string? Description, JsonElement Headers, bool Connected, string? LastError, string? ServerName,
    int Tools, int Resources, int Prompts, DateTimeOffset CreatedAt, DateTimeOffset? RefreshedAt, bool ExposeUnprefixed)
{
    public static IntegrationResponse From(IntegrationInfo i) => new(i.Name, i.Url, i.Description, JsonDocument.Parse(i.HeadersJson).RootElement.Clone(),
        i.Connected, i.LastError, i.ServerName, i.Tools, i.Resources, i.Prompts, i.CreatedAt, i.RefreshedAt, i.Unprefixed);
}

public sealed record IntegrationListResponse(IReadOnlyList<IntegrationResponse> Integrations);
