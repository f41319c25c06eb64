using System.Security.Cryptography;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;

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
            .RequireApiKey(Permissions.Execute)
            .Accepts<JsonElement>("application/json")
            .WithName("OpenAiChatCompletions")
            .WithSummary("Chat completion; with stream: true, Server-Sent Events in OpenAI's chunk format ending with data: [DONE]");

        group.MapPost("/embeddings", EmbeddingsAsync)
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
            data = page.Models.Select(m => ModelObject($"{m.Name}@{m.Version}", m.CreatedAt, m.Owner)),
        });
    }

    private static async Task<IResult> GetModelAsync(string model, IGrainFactory grains)
    {
        var modelId = await ModelReference.ResolveAsync(grains, model);
        var info = modelId is null ? null : await grains.GetGrain<IModelGrain>(modelId).GetAsync();
        return info is null
            ? ModelNotFound(model)
            : TypedResults.Json(ModelObject(model, info.CreatedAt, info.Owner));
    }

    private static async Task ChatCompletionsAsync(HttpContext context, IGrainFactory grains, TokenQuota quota,
        IOptions<CompletionOptions> options, TimeProvider time)
    {
        var body = await ReadJsonAsync(context);
        if (body is null)
        {
            return;
        }
        var (parsed, problem) = ChatCompletionRequestReader.Read(body.Value, options.Value.DefaultMaxTokens, options.Value.MaxTokensLimit);
        if (problem is not null)
        {
            await Invalid(problem.Detail, problem.Field).ExecuteAsync(context);
            return;
        }
        var modelId = await ModelReference.ResolveAsync(grains, parsed!.Model);
        if (modelId is null)
        {
            await ModelNotFound(parsed.Model).ExecuteAsync(context);
            return;
        }

        var key = context.GetRequiredApiKey();
        var request = parsed.Request;
        var reserved = TokenEstimate.OfPrompt(request.Messages, request.Prompt) + (long)request.MaxTokens!.Value;
        var completionId = "chatcmpl-" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        var reservation = await quota.ReserveAsync(key.KeyId, completionId, reserved);
        if (!reservation.Granted)
        {
            await TokenQuota.WriteRefusalAsync(context, reservation, reserved, time.GetUtcNow());
            return;
        }

        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var usage = new UsageTally(TokenEstimate.OfPrompt(request.Messages, request.Prompt));
        try
        {
            var chunks = grains.GetGrain<IModelGrain>(modelId).StreamAsync(request, context.RequestAborted);
            await using var enumerator = chunks.GetAsyncEnumerator(context.RequestAborted);
            // The first element decides between an HTTP error and a 200: nothing is sent before it.
            if (!await enumerator.MoveNextAsync())
            {
                await ModelFailure(context, CompletionChunk.Failure(PredictionOutcome.ModelError, "The model answered nothing."), modelId);
                return;
            }
            var first = enumerator.Current;
            if (first.Error is not null)
            {
                await ModelFailure(context, first, modelId);
                return;
            }
            usage.Started = true;
            context.Response.Headers["X-Model-Id"] = modelId;
            if (parsed.Stream)
            {
                await StreamChatAsync(context, enumerator, first, completionId, created, parsed, usage);
            }
            else
            {
                await CompleteChatAsync(context, enumerator, first, completionId, created, parsed, modelId, usage);
            }
        }
        finally
        {
            await quota.SettleAsync(key.KeyId, completionId, usage.PromptTokens, usage.CompletionTokens);
        }
    }

    private static async Task CompleteChatAsync(HttpContext context, IAsyncEnumerator<CompletionChunk> chunks, CompletionChunk first,
        string completionId, long created, ChatCompletionRequestReader.Parsed parsed, string modelId, UsageTally usage)
    {
        var text = new System.Text.StringBuilder();
        var chunk = first;
        while (true)
        {
            if (chunk.Error is not null)
            {
                await ModelFailure(context, chunk, modelId);
                return;
            }
            text.Append(chunk.Text);
            usage.Generated.Append(chunk.Text);
            if (chunk.FinishReason is not null)
            {
                break;
            }
            if (!await chunks.MoveNextAsync())
            {
                await ModelFailure(context, CompletionChunk.Failure(PredictionOutcome.ModelError, "The model stream ended without a finish reason."), modelId);
                return;
            }
            chunk = chunks.Current;
        }
        usage.Finish(chunk);
        await TypedResults.Json(new
        {
            id = completionId,
            @object = "chat.completion",
            created,
            model = parsed.Model,
            choices = new[]
            {
                new { index = 0, message = new { role = "assistant", content = text.ToString() }, finish_reason = chunk.FinishReason, logprobs = (object?)null },
            },
            usage = Usage(chunk.PromptTokens, chunk.CompletionTokens),
        }).ExecuteAsync(context);
    }

    private static async Task StreamChatAsync(HttpContext context, IAsyncEnumerator<CompletionChunk> chunks, CompletionChunk first,
        string completionId, long created, ChatCompletionRequestReader.Parsed parsed, UsageTally usage)
    {
        var sse = new ServerSentEventWriter(context.Response);
        await sse.StartAsync(context.RequestAborted);
        await sse.WriteAsync(Chunk(completionId, created, parsed.Model, new { role = "assistant", content = "" }, null), context.RequestAborted);
        var chunk = first;
        while (true)
        {
            if (chunk.Error is not null)
            {
                // Mid-stream failures end with an explicit error event (OpenAI SDKs raise it), never a quiet close.
                await sse.WriteAsync(new { error = new { message = chunk.Detail, type = PredictionOutcomeErrors.Code(chunk.Error.Value), code = PredictionOutcomeErrors.Code(chunk.Error.Value), param = (string?)null } },
                    context.RequestAborted);
                return;
            }
            if (chunk.Text.Length > 0)
            {
                usage.Generated.Append(chunk.Text);
                await sse.WriteAsync(Chunk(completionId, created, parsed.Model, new { content = chunk.Text }, null), context.RequestAborted);
            }
            if (chunk.FinishReason is not null)
            {
                usage.Finish(chunk);
                await sse.WriteAsync(Chunk(completionId, created, parsed.Model, new { }, chunk.FinishReason), context.RequestAborted);
                if (parsed.IncludeUsage)
                {
                    await sse.WriteAsync(new
                    {
                        id = completionId,
                        @object = "chat.completion.chunk",
                        created,
                        model = parsed.Model,
                        choices = Array.Empty<object>(),
                        usage = Usage(chunk.PromptTokens, chunk.CompletionTokens),
                    }, context.RequestAborted);
                }
                await sse.WriteDoneAsync(context.RequestAborted);
                return;
            }
            if (!await chunks.MoveNextAsync())
            {
                chunk = CompletionChunk.Failure(PredictionOutcome.ModelError, "The model stream ended without a finish reason.");
                continue;
            }
            chunk = chunks.Current;
        }
    }

    private static async Task EmbeddingsAsync(HttpContext context, IGrainFactory grains, TokenQuota quota,
        IOptions<CompletionOptions> options, TimeProvider time)
    {
        var body = await ReadJsonAsync(context);
        if (body is null)
        {
            return;
        }
        var root = body.Value;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var modelValue) || modelValue.GetString() is not { Length: > 0 } model)
        {
            await Invalid("Required field 'model' is missing", "model").ExecuteAsync(context);
            return;
        }
        string[] inputs;
        if (!root.TryGetProperty("input", out var input))
        {
            await Invalid("Required field 'input' is missing", "input").ExecuteAsync(context);
            return;
        }
        if (input.ValueKind == JsonValueKind.String)
        {
            inputs = [input.GetString()!];
        }
        else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
        {
            inputs = input.EnumerateArray().Select(i => i.GetString()!).ToArray();
        }
        else
        {
            await Invalid("Field 'input' must be a string or a non-empty array of strings (token arrays are not supported)", "input").ExecuteAsync(context);
            return;
        }
        if (inputs.Length > options.Value.MaxEmbeddingInputs)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.BatchTooLarge,
                $"At most {options.Value.MaxEmbeddingInputs} inputs per request; this one has {inputs.Length}.",
                new() { ["field"] = "input", ["max_batch_size"] = options.Value.MaxEmbeddingInputs });
            return;
        }
        if (inputs.Any(string.IsNullOrEmpty))
        {
            await Invalid("Field 'input' must not contain empty strings", "input").ExecuteAsync(context);
            return;
        }
        var base64 = false;
        if (root.TryGetProperty("encoding_format", out var format) && format.ValueKind != JsonValueKind.Null)
        {
            if (format.ValueKind != JsonValueKind.String || format.GetString() is not ("float" or "base64"))
            {
                await Invalid("Field 'encoding_format' must be 'float' or 'base64'", "encoding_format").ExecuteAsync(context);
                return;
            }
            base64 = format.GetString() == "base64";
        }
        var modelId = await ModelReference.ResolveAsync(grains, model);
        if (modelId is null)
        {
            await ModelNotFound(model).ExecuteAsync(context);
            return;
        }

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
            var outcome = await grains.GetGrain<IModelGrain>(modelId).EmbedAsync(inputs, context.RequestAborted);
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
            await quota.SettleAsync(key.KeyId, reservationId, promptTokens, 0);
        }
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpContext context)
    {
        var type = context.Request.ContentType;
        if (type is null || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "Send the request as JSON with 'Content-Type: application/json'.");
            return null;
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"The body is not valid JSON: {e.Message}");
            return null;
        }
    }

    private static Task ModelFailure(HttpContext context, CompletionChunk failure, string modelId)
    {
        var outcome = failure.Error ?? PredictionOutcome.ModelError;
        var (status, code) = (PredictionOutcomeErrors.Status(outcome), PredictionOutcomeErrors.Code(outcome));
        if (failure.RetryAfter is { } retry)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return ApiErrors.WriteAsync(context, status, code, failure.Detail ?? code, new() { ["model_id"] = modelId });
    }

    private static IResult Invalid(string detail, string? field) =>
        ApiErrors.OpenAiResult(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, detail, field is null ? null : new() { ["field"] = field });

    private static IResult ModelNotFound(string model) =>
        ApiErrors.OpenAiResult(StatusCodes.Status404NotFound, "model_not_found", $"The model '{model}' does not exist.", new() { ["field"] = "model" });

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

    /// <summary>
    /// What a completion used, kept up to date as it goes so the settlement in <c>finally</c> is right however the
    /// completion ends: the provider's counts when it finished, else estimates of the prompt and of what was
    /// generated before a failure or cancellation; nothing when the model refused before starting.
    /// </summary>
    private sealed class UsageTally(int estimatedPrompt)
    {
        private CompletionChunk? _final;

        public bool Started { get; set; }

        public System.Text.StringBuilder Generated { get; } = new();

        public long PromptTokens => _final?.PromptTokens ?? (Started ? estimatedPrompt : 0);

        public long CompletionTokens => _final?.CompletionTokens ?? TokenEstimate.Of(Generated.ToString());

        public void Finish(CompletionChunk final) => _final = final;
    }
}
