using System.Security.Cryptography;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.OpenAi;

/// <summary>
/// The OpenAI REST surface, so OpenAI SDKs work unchanged against the gateway: the API key goes in
/// <c>Authorization: Bearer</c>, a model is named by <c>name</c>, <c>name@version</c>, <c>name@alias</c> or its id.
/// </summary>
public static class OpenAiEndpoints
{
    private const int MaxListedModels = 1000;

    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("OpenAI-compatible").WithMetadata(OpenAiCompatible.Instance);

        group.MapGet("/models", ListModelsAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("OpenAiListModels")
            .WithSummary("Models in OpenAI's list format (ids are name@version)");

        group.MapGet("/models/{model}", GetModelAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("OpenAiGetModel")
            .WithSummary("One model in OpenAI's format");

        group.MapPost("/chat/completions", ChatCompletionsAsync)
            .ValidateJsonBody<ChatCompletionRequestReader.Parsed, ChatCompletionValidator>()
            .RequireApiKeyReservingTokens(Permissions.Execute)
            .Accepts<JsonElement>("application/json")
            .WithName("OpenAiChatCompletions")
            .WithSummary("Chat completion; with stream: true, Server-Sent Events in OpenAI's chunk format ending with data: [DONE]");

        group.MapPost("/embeddings", EmbeddingsAsync)
            .ValidateJsonBody<EmbeddingRequest, EmbeddingRequestValidator>()
            .RequireApiKey(Permissions.Execute)
            .Accepts<JsonElement>("application/json")
            .WithName("OpenAiEmbeddings")
            .WithSummary("Embeddings (float or base64 encoding)");

        return routes;
    }

    private static async Task<IResult> ListModelsAsync(IGrainFactory grains)
    {
        var page = await grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).ListAsync(new ModelQuery(null, null, null, 0, MaxListedModels));
        return TypedResults.Json(new
        {
            @object = "list",
            data = page.Models.Select(m => ModelObject(OpenAiModelId(m.Name, m.Version), m.CreatedAt, m.Owner)),
        });
    }

    /// <summary>
    /// One model under the id the list gives it, whichever reference retrieved it: a bare name or <c>name@alias</c>
    /// answers the version it resolves to now, as OpenAI answers an alias with the snapshot it stands for, so
    /// <c>models.retrieve(id)</c> with a listed id gets that id back.
    /// </summary>
    private static async Task<IResult> GetModelAsync(string model, IGrainFactory grains, ModelResolver models)
    {
        var modelId = await models.ResolveAsync(model);
        var info = modelId is null ? null : await grains.GetGrain<IModelGrain>(modelId).GetAsync();
        return info is null
            ? ModelNotFound(model)
            : TypedResults.Json(ModelObject(OpenAiModelId(info.Name, info.Version), info.CreatedAt, info.Owner));
    }

    private static async Task ChatCompletionsAsync(HttpContext context, ModelResolver models, CompletionRunner runner, TimeProvider time)
    {
        var parsed = context.Validated<ChatCompletionRequestReader.Parsed>();
        var modelId = await models.ResolveAsync(parsed.Model);
        if (modelId is null)
        {
            // Which models exist is for keys that may call them: the key is checked first.
            if (!await context.WriteApiKeyRefusalAsync())
            {
                await ModelNotFound(parsed.Model).ExecuteAsync(context);
            }
            return;
        }
        context.Usage().ModelId = modelId;
        // The same runner as /completions: tokens reserved and settled, readable and cancellable at /completions/{id}.
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        ICompletionSink sink = parsed.Stream
            ? new ChunkStreamSink(context, modelId, parsed, created)
            : new ChatAnswerSink(context, modelId, parsed, created);
        var tally = await runner.RunAsync(context.GetRequiredApiKey(), modelId, parsed.Request, null, sink, context.RequestAborted, idPrefix: "chatcmpl-");
        context.Usage().AddTokens(tally.PromptTokens, tally.CompletionTokens);
    }

    private static async Task EmbeddingsAsync(HttpContext context, IGrainFactory grains, ModelResolver models, TokenQuota quota, TimeProvider time)
    {
        var (model, inputs, base64) = context.Validated<EmbeddingRequest>();
        var modelId = await models.ResolveAsync(model);
        if (modelId is null)
        {
            await ModelNotFound(model).ExecuteAsync(context);
            return;
        }
        context.Usage().ModelId = modelId;

        var key = context.GetRequiredApiKey();
        var reserved = (long)inputs.Sum(TokenEstimate.Of);
        var reservationId = "emb-" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        var reservation = await quota.ReserveAsync(key.KeyId, reservationId, reserved);
        if (!reservation.Granted)
        {
            await TokenQuota.WriteRefusalAsync(context, reservation, reserved, time.GetUtcNow());
            return;
        }
        var promptTokens = 0;
        try
        {
            var outcome = await grains.GetGrain<IModelExecutorGrain>(modelId).EmbedAsync(inputs, context.RequestAborted);
            if (outcome.Outcome != PredictionOutcome.Ok)
            {
                await ModelFailure(context, CompletionChunk.Failure(outcome.Outcome, outcome.Detail ?? "Embedding failed.", outcome.RetryAfter), modelId);
                return;
            }
            promptTokens = outcome.PromptTokens;
            context.Response.Headers["X-Model-Id"] = modelId;
            await TypedResults.Json(new
            {
                @object = "list",
                model,
                data = outcome.Vectors.Select((vector, index) => new
                {
                    @object = "embedding",
                    index,
                    embedding = base64 ? (object)Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())) : vector,
                }),
                usage = new { prompt_tokens = outcome.PromptTokens, total_tokens = outcome.PromptTokens },
            }).ExecuteAsync(context);
        }
        finally
        {
            context.Usage().AddTokens(promptTokens, 0);
            await quota.SettleAsync(key.KeyId, reservationId, promptTokens, 0);
        }
    }

    private static Task ModelFailure(HttpContext context, CompletionChunk failure, string modelId)
    {
        var outcome = failure.Error ?? PredictionOutcome.ModelError;
        return PredictionOutcomeErrors.WriteAsync(context, outcome, failure.Detail ?? PredictionOutcomeErrors.Code(outcome), failure.RetryAfter,
            new() { ["model_id"] = modelId });
    }

    internal static IResult Invalid(string detail, string? field) =>
        ApiErrors.OpenAiResult(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, detail, field is null ? null : new() { ["field"] = field });

    private static IResult ModelNotFound(string model) =>
        ApiErrors.OpenAiResult(StatusCodes.Status404NotFound, "model_not_found", $"The model '{model}' does not exist.", new() { ["field"] = "model" });

    /// <summary>A model's id on the OpenAI surface: <c>name@version</c>, one version of one name, stable while it exists.</summary>
    private static string OpenAiModelId(string name, string version) => $"{name}@{version}";

    private static object ModelObject(string id, DateTimeOffset created, string owner) =>
        new { id, @object = "model", created = created.ToUnixTimeSeconds(), owned_by = owner };

    private static object Chunk(string id, long created, string model, object delta, string? finishReason) => new
    {
        id,
        @object = "chat.completion.chunk",
        created,
        model,
        choices = new[] { new { index = 0, delta, finish_reason = finishReason, logprobs = (object?)null } },
    };

    private static object Usage(int prompt, int completion) =>
        new { prompt_tokens = prompt, completion_tokens = completion, total_tokens = prompt + completion };

    /// <summary>A non-streamed chat completion: one <c>chat.completion</c> object, or an error status.</summary>
    private sealed class ChatAnswerSink(HttpContext context, string modelId, ChatCompletionRequestReader.Parsed parsed, long created) : AnswerOnceSink(context)
    {
        public override Task StartedAsync(string completionId)
        {
            Context.Response.Headers["X-Model-Id"] = modelId;
            return base.StartedAsync(completionId);
        }

        public override Task DoneAsync(CompletionChunk final) => TypedResults.Json(new
        {
            id = CompletionId,
            @object = "chat.completion",
            created,
            model = parsed.Model,
            choices = new[]
            {
                new { index = 0, message = new { role = "assistant", content = Text }, finish_reason = final.FinishReason, logprobs = (object?)null },
            },
            usage = Usage(final.PromptTokens, final.CompletionTokens),
        }).ExecuteAsync(Context);

        public override Task FailedAsync(CompletionChunk failure, bool started) => ModelFailure(Context, failure, modelId);
    }

    /// <summary>
    /// <c>stream: true</c>: <c>chat.completion.chunk</c> events (role first, then content deltas, then the finish reason
    /// and, when asked, usage) ending with <c>data: [DONE]</c>. A failure before the first token is an HTTP error; after
    /// it, an OpenAI error event (which the SDKs raise), never a quiet end.
    /// </summary>
    private sealed class ChunkStreamSink(HttpContext context, string modelId, ChatCompletionRequestReader.Parsed parsed, long created) : ICompletionSink
    {
        private readonly ServerSentEventWriter _sse = new(context.Response);
        private string _id = "";

        public Task RefusedAsync(TokenReservation refusal, long requested) =>
            TokenQuota.WriteRefusalAsync(context, refusal, requested, DateTimeOffset.UtcNow);

        public async Task StartedAsync(string completionId)
        {
            _id = completionId;
            context.Response.Headers["X-Model-Id"] = modelId;
            await _sse.StartAsync(context.RequestAborted);
            await _sse.WriteAsync(Chunk(_id, created, parsed.Model, new { role = "assistant", content = "" }, null), context.RequestAborted);
        }

        public Task TokenAsync(string text) =>
            _sse.WriteAsync(Chunk(_id, created, parsed.Model, new { content = text }, null), context.RequestAborted);

        public async Task DoneAsync(CompletionChunk final)
        {
            await _sse.WriteAsync(Chunk(_id, created, parsed.Model, new { }, final.FinishReason), context.RequestAborted);
            if (parsed.IncludeUsage)
            {
                await _sse.WriteAsync(new
                {
                    id = _id,
                    @object = "chat.completion.chunk",
                    created,
                    model = parsed.Model,
                    choices = Array.Empty<object>(),
                    usage = Usage(final.PromptTokens, final.CompletionTokens),
                }, context.RequestAborted);
            }
            await _sse.WriteDoneAsync(context.RequestAborted);
        }

        public async Task FailedAsync(CompletionChunk failure, bool started)
        {
            if (!started)
            {
                await ModelFailure(context, failure, modelId);
                return;
            }
            var code = PredictionOutcomeErrors.Code(failure.Error ?? PredictionOutcome.ModelError);
            await _sse.WriteAsync(new { error = new { message = failure.Detail, type = code, code, param = (string?)null } }, context.RequestAborted);
            // The error is the last event: the client sees the stream end now, not after the tokens are settled.
            await context.Response.CompleteAsync();
        }
    }
}
