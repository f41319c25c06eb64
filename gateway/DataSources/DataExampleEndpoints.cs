using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Hosting;
using Mcp.Cluster.Gateway.Security;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>The questions admins teach a source for <c>POST /api/data/ask</c>, each with the structured query that answers it.</summary>
public static class DataExampleEndpoints
{
    public static IEndpointRouteBuilder MapDataExampleEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/datasources/{name}/examples").WithTags("Data sources");

        group.MapPost("", AddAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("AddDataSourceExample")
            .WithSummary("Teach the source a question and the structured query that answers it (admin)")
            .WithDescription("The query (the /api/data/query shape without 'source', naming its table) is checked against the source's schema first. " +
                "The built-in translator adapts the closest example to a new question, its values replaced by the new question's; a chat model is shown the examples. " +
                "At most 200 per source; teaching a question again replaces its query.");

        group.MapGet("", ListAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("ListDataSourceExamples")
            .WithSummary("The questions taught to the source (admin)");

        group.MapDelete("/{id}", RemoveAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("RemoveDataSourceExample")
            .WithSummary("Forget a taught question (admin)");

        return routes;
    }

    private static async Task<IResult> AddAsync(string name, DataExampleRequest request, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name))
        {
            return DataSourceEndpoints.NotFound(name);
        }
        if (string.IsNullOrWhiteSpace(request.Question))
        {
            return ApiErrors.Validation("Required field 'question' is missing", "question");
        }
        if (request.Query is not { ValueKind: JsonValueKind.Object } queryJson)
        {
            return ApiErrors.Validation("Required field 'query' must be a structured query object.", "query");
        }
        DataQueryRequest? parsed;
        try
        {
            parsed = queryJson.Deserialize<DataQueryRequest>(GatewayJson.Options);
        }
        catch (JsonException e)
        {
            return ApiErrors.Validation($"Field 'query' is not a structured query: {e.Message}", "query");
        }
        if (parsed is null || parsed.Source is not null && parsed.Source != name)
        {
            return ApiErrors.Validation("Field 'query' must not name another source.", "query.source");
        }
        if (parsed.Model is not null)
        {
            return ApiErrors.Validation("An example's query reads as the asking key, not on a model's behalf: leave out 'model'.", "query.model");
        }
        var (query, error) = DataRequestReader.ReadQuery(parsed with { Source = name });
        if (query is null)
        {
            return error!;
        }
        var result = await grains.GetGrain<IDataSourceGrain>(name).AddExampleAsync(request.Question, query, context.GetRequiredApiKey().KeyId);
        await grains.GetGrain<IDataSourceExecutorGrain>(name).PolicyChangedAsync();
        return result.Outcome switch
        {
            DataCommandOutcome.Ok => TypedResults.Created($"/api/datasources/{name}/examples/{result.Example!.Id}", DataExampleResponse.From(result.Example)),
            DataCommandOutcome.NotFound => DataSourceEndpoints.NotFound(name),
            DataCommandOutcome.Conflict => ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, result.Detail!),
            _ => ApiErrors.Validation(result.Detail!, result.Field),
        };
    }

    private static async Task<IResult> ListAsync(string name, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || await grains.GetGrain<IDataSourceGrain>(name).GetExamplesAsync() is not { } examples)
        {
            return DataSourceEndpoints.NotFound(name);
        }
        return TypedResults.Ok(new { source = name, examples = examples.Select(DataExampleResponse.From).ToArray() });
    }

    private static async Task<IResult> RemoveAsync(string name, string id, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || !await grains.GetGrain<IDataSourceGrain>(name).RemoveExampleAsync(id, context.GetRequiredApiKey().KeyId))
        {
            return ApiErrors.NotFound($"Data source '{name}' has no example '{id}'.");
        }
        await grains.GetGrain<IDataSourceExecutorGrain>(name).PolicyChangedAsync();
        return TypedResults.NoContent();
    }
}

public sealed record DataExampleResponse(string Id, string Question, JsonElement Query, string CreatedBy, DateTimeOffset CreatedAt)
{
    public static DataExampleResponse From(DataQuestionExample example) =>
        new(example.Id, example.Question, StructuredQueryJson.ToElement(example.Query), example.CreatedBy, example.CreatedAt);
}
