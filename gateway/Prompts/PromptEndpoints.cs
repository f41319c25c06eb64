using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Prompts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.Prompts;

/// <summary>The prompt registry over REST; the same prompts are served to MCP clients by <c>prompts/list</c> and <c>prompts/get</c>.</summary>
public static class PromptEndpoints
{
    public static IEndpointRouteBuilder MapPromptEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/prompts").WithTags("Prompts");

        group.MapPost("/", PutAsync)
            .ValidateRequest<PromptRequest, PromptDefinition, PromptRequestValidator>()
            .RequireApiKey(Permissions.Write)
            .WithName("PutPrompt")
            .WithSummary("Create or replace a prompt template (its owner or an admin replaces it)");

        group.MapGet("/", ListAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("ListPrompts")
            .WithSummary("Every prompt of the registry");

        group.MapGet("/{name}", GetAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetPrompt")
            .WithSummary("One prompt template");

        group.MapPost("/{name}/render", RenderAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("RenderPrompt")
            .WithSummary("Fill a prompt's arguments in, as prompts/get does for MCP clients");

        group.MapDelete("/{name}", DeleteAsync)
            .RequireApiKey(Permissions.Write)
            .WithName("DeletePrompt")
            .WithSummary("Delete a prompt (its owner or an admin)");

        return routes;
    }

    private static async Task<Results<Created<PromptResponse>, Ok<PromptResponse>, JsonHttpResult<ApiError>>> PutAsync(
        PromptRequest request, HttpContext context, IGrainFactory grains)
    {
        // The validation filter has checked the body; the name is one of its fields.
        var name = request.Name!;
        var key = context.GetRequiredApiKey();
        var info = await grains.GetGrain<IPromptGrain>(name).PutAsync(context.Validated<PromptDefinition>(), key.Owner, key.KeyId, key.IsAdmin);
        if (info is null)
        {
            return ApiErrors.Forbidden($"Prompt '{name}' belongs to another owner.");
        }
        var response = PromptResponse.From(info);
        return info.CreatedAt == info.UpdatedAt ? TypedResults.Created($"/prompts/{name}", response) : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<PromptListResponse>, JsonHttpResult<ApiError>>> ListAsync(
        IGrainFactory grains, [FromQuery] int? offset, [FromQuery] int? limit)
    {
        var (skip, take, pagingError) = Paging.Read(offset, limit);
        if (pagingError is not null)
        {
            return pagingError;
        }
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.Prompts).GetNamesAsync();
        var page = await Task.WhenAll(names.Skip(skip).Take(take).Select(n => grains.GetGrain<IPromptGrain>(n).GetAsync()));
        return TypedResults.Ok(new PromptListResponse(page.OfType<PromptInfo>().Select(PromptResponse.From).ToArray(), names.Count, skip, take));
    }

    private static async Task<Results<Ok<PromptResponse>, JsonHttpResult<ApiError>>> GetAsync(string name, IGrainFactory grains)
    {
        if (!PromptRequestReader.IsValidName(name) || await grains.GetGrain<IPromptGrain>(name).GetAsync() is not { } info)
        {
            return NotFound(name);
        }
        return TypedResults.Ok(PromptResponse.From(info));
    }

    private static async Task<Results<Ok<RenderedPromptResponse>, JsonHttpResult<ApiError>>> RenderAsync(
        string name, RenderPromptRequest request, IGrainFactory grains)
    {
        if (!PromptRequestReader.IsValidName(name) || await grains.GetGrain<IPromptGrain>(name).RenderAsync(request.Arguments ?? []) is not { } rendering)
        {
            return NotFound(name);
        }
        if (rendering.Problem is { } problem)
        {
            return ApiErrors.Validation(problem, rendering.Argument is null ? "arguments" : $"arguments.{rendering.Argument}");
        }
        return TypedResults.Ok(new RenderedPromptResponse(name, rendering.Description, rendering.Messages!.Select(m => new PromptMessageResponse(m.Role, m.Text)).ToArray()));
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteAsync(string name, HttpContext context, IGrainFactory grains)
    {
        var key = context.GetRequiredApiKey();
        var deleted = PromptRequestReader.IsValidName(name) ? await grains.GetGrain<IPromptGrain>(name).DeleteAsync(key.Owner, key.IsAdmin) : false;
        return deleted switch
        {
            true => TypedResults.NoContent(),
            false => NotFound(name),
            null => ApiErrors.Forbidden($"Prompt '{name}' belongs to another owner."),
        };
    }

    private static JsonHttpResult<ApiError> NotFound(string name) => ApiErrors.NotFound($"Prompt '{name}' not found.");
}
