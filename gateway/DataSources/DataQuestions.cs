using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Hosting;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// Answers a question about the data (<c>POST /api/data/ask</c> and the MCP tool <c>data.ask</c>): it has the question
/// translated into a structured query — by the sources' own translators on the silos, or by a chat model the caller
/// names, shown only what the caller may read — and runs that query through the source's executor like any other
/// read, so grants, masks, row filters, quotas, cache and audit apply unchanged. A model's query that the source
/// refuses is given back to the model once with the reason.
/// </summary>
public sealed class DataQuestions(IGrainFactory grains, CompletionRunner completions, ModelResolver models, ILogger<DataQuestions> logger)
{
    public const string NotUnderstood = "question_not_understood";

    public sealed record Ask(string Question, string? Source, string? Model, int? Limit);

    /// <summary>
    /// The translation and the read's result (whose own outcome may be a refusal, answered like a query's), or an error
    /// before any read: <see cref="Status"/>, <see cref="Error"/> code, <see cref="Detail"/>, <see cref="Field"/>.
    /// </summary>
    public sealed record Outcome(DataTranslation? Translation, DataQueryResult? Result, int Status = StatusCodes.Status200OK, string? Error = null,
        string? Detail = null, string? Field = null, TokenReservation? TokenRefusal = null, long TokensRequested = 0)
    {
        public static Outcome Failed(int status, string error, string detail, string? field = null) => new(null, null, status, error, detail, field);
    }

    public async Task<Outcome> AnswerAsync(Ask ask, ApiKeyPrincipal key, CancellationToken cancellationToken)
    {
        var caller = DataSourceEndpoints.Caller(key);
        var sources = ask.Source is { } named
            ? [named]
            : (await grains.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).GetNamesAsync()).ToArray();
        return ask.Model is null
            ? await BuiltInAsync(ask, caller, sources)
            : await WithModelAsync(ask, key, caller, sources, cancellationToken);
    }

    private async Task<Outcome> BuiltInAsync(Ask ask, DataCaller caller, IReadOnlyList<string> sources)
    {
        var translations = await Task.WhenAll(sources.Select(s => grains.GetGrain<IDataAskExecutorGrain>(s).TranslateAsync(ask.Question, caller)));
        if (ask.Source is not null && translations[0] is { Query: null } refused)
        {
            return Refusal(refused);
        }
        // Equally sure of two sources: the first by name, so the same question always gets the same answer.
        var best = translations.Where(t => t.Query is not null).OrderByDescending(t => t.Confidence)
            .ThenBy(t => t.Source, StringComparer.Ordinal).FirstOrDefault();
        if (best is null)
        {
            var readable = translations.Where(t => t.Outcome == DataQueryOutcome.Invalid).ToArray();
            return Outcome.Failed(StatusCodes.Status422UnprocessableEntity, NotUnderstood, readable.Length == 0
                ? "There is no data source you may read."
                : $"The question matches nothing in the data sources you may read: {string.Join(" ", readable.Select(t => t.Detail))}", "question");
        }
        return await RunAsync(best, caller, ask.Limit);
    }

    private async Task<Outcome> WithModelAsync(Ask ask, ApiKeyPrincipal key, DataCaller caller, IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        if (!key.IsAdmin && !key.Permissions.Satisfies(Permissions.Execute))
        {
            return Outcome.Failed(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, $"Key {key.KeyId} lacks the execute permission a model needs.", "model");
        }
        if (await models.ResolveAsync(ask.Model) is not { } modelId)
        {
            return Outcome.Failed(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Model '{ask.Model}' not found.", "model");
        }
        var schemas = (await Task.WhenAll(sources.Select(s => grains.GetGrain<IDataAskExecutorGrain>(s).GetSchemaAsync(caller))))
            .OfType<AskSchema>().Where(s => s.Tables.Count > 0).ToArray();
        if (schemas.Length == 0)
        {
            return ask.Source is not null
                ? Outcome.Failed(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Data source '{ask.Source}' not found.", "source")
                : Outcome.Failed(StatusCodes.Status422UnprocessableEntity, NotUnderstood, "There is no data source you may read.", "question");
        }

        var messages = ChatQueryPrompt.Build(ask.Question, schemas).ToList();
        string? lastProblem = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var sink = new CollectingCompletionSink();
            var request = new CompletionRequest(messages, null, ChatQueryPrompt.MaxAnswerTokens, 0, null, null);
            await completions.RunAsync(key, modelId, request, null, sink, cancellationToken, idPrefix: "ask_");
            if (sink.Refusal is { } refusal)
            {
                return new Outcome(null, null, StatusCodes.Status429TooManyRequests, TokenQuota.ErrorCode, "The key's token quota cannot cover the translation.", TokenRefusal: refusal, TokensRequested: sink.Requested);
            }
            if (sink.Failure is { } failure)
            {
                return Outcome.Failed(PredictionOutcomeErrors.Status(failure.Error ?? PredictionOutcome.ModelError),
                    PredictionOutcomeErrors.Code(failure.Error ?? PredictionOutcome.ModelError), failure.Detail ?? "The model failed.", "model");
            }
            var (translation, problem) = Read(sink.Text, schemas, ask.Source);
            if (translation is not null)
            {
                var outcome = await RunAsync(translation, caller, ask.Limit);
                // A query the source refuses for its shape (an unknown or masked field, a wrong type) goes back to the model once.
                if (outcome.Result is { Outcome: DataQueryOutcome.Invalid or DataQueryOutcome.Forbidden or DataQueryOutcome.NotFound } result && attempt == 0)
                {
                    problem = result.Detail;
                }
                else
                {
                    return outcome;
                }
            }
            lastProblem = problem;
            if (translation is null && problem is not null && problem.StartsWith("The model says", StringComparison.Ordinal))
            {
                break;
            }
            logger.LogInformation("Model {ModelId} answered a question with an unusable query ({Problem}); attempt {Attempt}", modelId, problem, attempt + 1);
            messages.Add(new CompletionMessage("assistant", sink.Text));
            messages.Add(new CompletionMessage("user", $"That query cannot be used: {problem} Answer again with one corrected JSON query object."));
        }
        return Outcome.Failed(StatusCodes.Status422UnprocessableEntity, NotUnderstood, $"The model could not turn the question into a usable query: {lastProblem}", "question");
    }

    /// <summary>The model's answer read as a query of one of the sources it was shown, or why it cannot be.</summary>
    private static (DataTranslation? Translation, string? Problem) Read(string text, IReadOnlyList<AskSchema> schemas, string? requiredSource)
    {
        if (ChatQueryPrompt.ReadAnswer(text) is not { } answer)
        {
            return (null, "The answer holds no JSON object.");
        }
        if (answer.TryGetProperty("error", out var error) && !answer.TryGetProperty("table", out _))
        {
            return (null, $"The model says the question cannot be answered: {(error.ValueKind == JsonValueKind.String ? error.GetString() : error.GetRawText())}");
        }
        string? source = requiredSource;
        if (answer.TryGetProperty("source", out var sourceJson) && sourceJson.ValueKind == JsonValueKind.String)
        {
            source = requiredSource is null || sourceJson.GetString() == requiredSource ? sourceJson.GetString() : null;
        }
        source ??= schemas.Count == 1 ? schemas[0].Source : null;
        if (source is null || schemas.All(s => s.Source != source))
        {
            return (null, $"'source' must be one of {string.Join(", ", schemas.Select(s => s.Source))}.");
        }
        DataQueryRequest? request;
        try
        {
            var body = JsonSerializer.SerializeToElement(answer.EnumerateObject().Where(p => p.Name != "source")
                .ToDictionary(p => p.Name, p => p.Value), GatewayJson.Options);
            request = body.Deserialize<DataQueryRequest>(GatewayJson.Options);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            // A model's answer is untrusted input: duplicate keys, wrong types and unknown members are its mistakes, not ours.
            return (null, $"The query does not have the structured query's shape: {e.Message}");
        }
        if (request is null || string.IsNullOrWhiteSpace(request.Table))
        {
            return (null, "The query must name its 'table'.");
        }
        var (query, readError) = DataRequestReader.ReadQuery(request with { Source = source });
        if (query is null)
        {
            return (null, readError?.Value?.Detail ?? "The query is malformed.");
        }
        return (new DataTranslation(source, query, 0, Explain(query), "model"), null);
    }

    private static string Explain(DataQuery query) => Mcp.Cluster.DataSources.Ask.QueryExplainer.Explain(query);

    private async Task<Outcome> RunAsync(DataTranslation translation, DataCaller caller, int? limit)
    {
        var query = translation.Query! with { Limit = limit ?? translation.Query!.Limit };
        var result = await grains.GetGrain<IDataSourceExecutorGrain>(translation.Source).QueryAsync(query, caller);
        return new Outcome(translation with { Query = query }, result);
    }

    private static Outcome Refusal(DataTranslation refused) => refused.Outcome switch
    {
        DataQueryOutcome.NotFound => Outcome.Failed(StatusCodes.Status404NotFound, ErrorCodes.NotFound, refused.Detail!, "source"),
        DataQueryOutcome.Forbidden => Outcome.Failed(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, refused.Detail!),
        DataQueryOutcome.Unavailable => Outcome.Failed(StatusCodes.Status503ServiceUnavailable, ErrorCodes.DataSourceUnavailable, refused.Detail!),
        _ => Outcome.Failed(StatusCodes.Status422UnprocessableEntity, NotUnderstood, refused.Detail!, "question"),
    };

    /// <summary>Collects a model's answer whole; it is read, never streamed to the caller.</summary>
    private sealed class CollectingCompletionSink : ICompletionSink
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Text => _text.ToString();

        public TokenReservation? Refusal { get; private set; }

        public long Requested { get; private set; }

        public CompletionChunk? Failure { get; private set; }

        public Task RefusedAsync(TokenReservation refusal, long requested)
        {
            (Refusal, Requested) = (refusal, requested);
            return Task.CompletedTask;
        }

        public Task StartedAsync(string completionId) => Task.CompletedTask;

        public Task TokenAsync(string text)
        {
            // A model that will not stop is cut off by the token limit; this bounds what is held meanwhile.
            if (_text.Length < 64 * 1024)
            {
                _text.Append(text);
            }
            return Task.CompletedTask;
        }

        public Task DoneAsync(CompletionChunk final) => Task.CompletedTask;

        public Task FailedAsync(CompletionChunk failure, bool started)
        {
            Failure = failure;
            return Task.CompletedTask;
        }
    }
}
