using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.DataSources;

public static class DataAskEndpoints
{
    public static IEndpointRouteBuilder MapDataAskEndpoints(this IEndpointRouteBuilder routes)
    {
        // Like a query, the read permission is checked by the source, so that a refusal is audited.
        routes.MapGroup("/api/data").WithTags("Data").MapPost("/ask", AskAsync)
            .ValidateRequest<DataAskRequest, DataQuestions.Ask, DataAskValidator>()
            .RequireApiKey(Permissions.None)
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithName("AskData")
            .WithSummary("Ask a data source a question in plain language: answered with the structured query it became, its rows and an explanation")
            .WithDescription("The question becomes a structured query (never SQL) over the tables and fields the key may read, so grants, masks, " +
                "row filters, quotas, cache and audit apply as to any query. Without 'source' the source that fits the question best answers. " +
                "The built-in translator needs no model server (pattern rules and the examples admins taught with POST /api/datasources/{name}/examples); " +
                "'model' names a registered chat model to translate with instead. A question nothing can be made of is 422 question_not_understood.");
        return routes;
    }

    private static async Task<IResult> AskAsync(DataAskRequest request, HttpContext context, DataQuestions questions)
    {
        var ask = context.Validated<DataQuestions.Ask>();
        var key = context.GetRequiredApiKey();
        var outcome = await questions.AnswerAsync(ask, key, context.RequestAborted);
        if (outcome.TokenRefusal is { } refusal)
        {
            await TokenQuota.WriteRefusalAsync(context, refusal, outcome.TokensRequested, DateTimeOffset.UtcNow);
            return Results.Empty;
        }
        if (outcome.Translation is not { } translation || outcome.Result is not { } result)
        {
            if (outcome.Status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = "5";
            }
            return ApiErrors.Result(outcome.Status, outcome.Error!, outcome.Detail!, outcome.Field is null ? null : new() { ["field"] = outcome.Field });
        }
        context.Usage().RecordRead(translation.Source, result, cacheable: true);
        if (result.Outcome is DataQueryOutcome.Invalid)
        {
            // The source refused the query the question became: the question, not a field of the caller's, is at fault.
            return ApiErrors.Result(StatusCodes.Status422UnprocessableEntity, DataQuestions.NotUnderstood,
                $"The question became a query the source refused: {result.Detail}", new() { ["field"] = "question" });
        }
        var query = translation.Query!;
        return DataQueryEndpoints.Answer(context, result, translation.Source, result.Table ?? query.Table, query.Limit ?? 100, query.Offset, json =>
        {
            json.WriteString("question", ask.Question);
            json.WriteString("translator", translation.Translator);
            if (translation.Translator == "model")
            {
                json.WriteNull("confidence");
            }
            else
            {
                json.WriteNumber("confidence", translation.Confidence);
            }
            if (translation.ExampleId is not null)
            {
                json.WriteString("example_id", translation.ExampleId);
            }
            json.WritePropertyName("query");
            StructuredQueryJson.Write(json, query);
            json.WriteString("explanation", translation.Explanation);
        });
    }
}

/// <summary><c>POST /api/data/ask</c>: a question of 1 to 1000 characters, a source name, a limit in range.</summary>
public sealed class DataAskValidator : IRequestValidator<DataAskRequest, DataQuestions.Ask>
{
    public ValueTask<RequestValidation<DataQuestions.Ask>> ValidateAsync(DataAskRequest request, HttpContext context) =>
        ValueTask.FromResult<RequestValidation<DataQuestions.Ask>>(
            string.IsNullOrWhiteSpace(request.Question) ? ApiErrors.Validation("Required field 'question' is missing", "question")
            : request.Question.Length > Mcp.Cluster.DataSources.Ask.QuestionText.MaxLength
                ? ApiErrors.Validation($"Field 'question' must be at most {Mcp.Cluster.DataSources.Ask.QuestionText.MaxLength} characters.", "question")
            : request.Question.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
                ? ApiErrors.Validation("Field 'question' must be plain text.", "question")
            : request.Source is not null && !DataRequestReader.IsValidName(request.Source)
                ? ApiErrors.Result(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Data source '{request.Source}' not found.", new() { ["field"] = "source" })
            : request.Model is { } model && string.IsNullOrWhiteSpace(model) ? ApiErrors.Validation("Field 'model' must name a model.", "model")
            : request.Limit is < 1 or > 1000 ? ApiErrors.Validation("Field 'limit' must be between 1 and 1000.", "limit")
            : RequestValidation<DataQuestions.Ask>.Valid(new DataQuestions.Ask(request.Question.Trim(), request.Source, request.Model, request.Limit)));
}
