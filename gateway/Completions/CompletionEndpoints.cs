using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Completions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.Completions;

public static class CompletionEndpoints
{
    public static IEndpointRouteBuilder MapCompletionEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/completions").WithTags("Completions");

        group.MapPost("/", CompleteAsync)
            .ValidateRequest<CompletionApiRequest, CompletionRequest, CompletionApiRequestValidator>()
            .RequireApiKeyReservingTokens(Permissions.Execute)
            .WithName("Complete")
            .WithSummary("Run a chat or prompt completion and answer when it is done");

        group.MapPost("/stream", StreamAsync)
            .ValidateRequest<CompletionApiRequest, CompletionRequest, CompletionApiRequestValidator>()
            .RequireApiKeyReservingTokens(Permissions.Execute)
            .WithName("CompleteStreaming")
            .WithSummary("Run a completion and stream it as Server-Sent Events (start, token…, done | error)");

        group.MapGet("/{completion_id}", GetAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetCompletion")
            .WithSummary("Status of a running or finished completion (owner or admin)");

        group.MapDelete("/{completion_id}", CancelAsync)
            .RequireApiKey(Permissions.Execute)
            .WithName("CancelCompletion")
            .WithSummary("Cancel a running completion; its provider call is cancelled too (owner or admin)");

        routes.MapGet("/ws/completions", AcceptSocketAsync)
            .AllowAnonymousOrApiKey(Permissions.Execute)
            .WithTags("Completions")
            .WithName("CompletionSocket")
            .WithSummary("WebSocket: several streamed completions on one connection, each cancellable")
            .WithDescription("Key in the upgrade request (X-API-Key or Authorization: Bearer) or in a first {\"type\":\"auth\",\"api_key\":…} frame.");

        return routes;
    }

    private static async Task AcceptSocketAsync(HttpContext context, IGrainFactory grains, ApiKeys.ApiKeyHasher hasher,
        CompletionRunner runner, IOptions<CompletionOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        ILogger<CompletionSocket> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest,
                "This endpoint speaks WebSocket; send an upgrade request.");
            return;
        }
        var metrics = context.RequestServices.GetRequiredService<Telemetry.McpMetrics>();
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.Value.SocketKeepAlive,
            KeepAliveTimeout = options.Value.SocketKeepAliveTimeout,
        });
        var session = new CompletionSocket(socket, context.GetApiKey(), grains, context.RequestServices.GetRequiredService<ModelResolver>(), hasher, runner, options.Value,
            json.Value.SerializerOptions, context.RequestServices.GetRequiredService<UsagePublisher>(), metrics, context.RequestServices.GetRequiredService<TimeProvider>(), logger);
        metrics.StreamOpened();
        try
        {
            await session.RunAsync(context.RequestAborted);
        }
        finally
        {
            metrics.StreamClosed();
        }
    }

    private static Task CompleteAsync(CompletionApiRequest body, HttpContext context, ModelResolver models, CompletionRunner runner) =>
        RunAsync(body, context, models, runner, (modelId, requestId) => new HttpAnswerSink(context, modelId, requestId));

    private static Task StreamAsync(CompletionApiRequest body, HttpContext context, ModelResolver models, CompletionRunner runner) =>
        RunAsync(body, context, models, runner, (modelId, requestId) => new ServerSentEventSink(context, modelId, requestId));

    /// <summary>Runs a body the endpoint's filter checked; an unknown model is answered here.</summary>
    private static async Task RunAsync(CompletionApiRequest body, HttpContext context, ModelResolver models,
        CompletionRunner runner, Func<string, string?, ICompletionSink> sink)
    {
        var request = context.Validated<CompletionRequest>();
        var modelId = await models.ResolveAsync(body.ModelId!);
        if (modelId is null)
        {
            // Which models exist is for keys that may call them: the key is checked first.
            if (!await context.WriteApiKeyRefusalAsync())
            {
                await ApiErrors.NotFound($"Model '{body.ModelId}' not found.").ExecuteAsync(context);
            }
            return;
        }
        context.Usage().ModelId = modelId;
        var tally = await runner.RunAsync(context.GetRequiredApiKey(), modelId, request, body.RequestId, sink(modelId, body.RequestId), context.RequestAborted);
        context.Usage().AddTokens(tally.PromptTokens, tally.CompletionTokens);
    }

    private static async Task<IResult> GetAsync([FromRoute(Name = "completion_id")] string completionId, HttpContext context, IGrainFactory grains)
    {
        var record = CompletionIds.TryGetModelId(completionId, out var modelId)
            ? await grains.GetGrain<IModelGrain>(modelId).GetCompletionAsync(completionId)
            : null;
        var caller = context.GetRequiredApiKey();
        if (record is null || (!caller.IsAdmin && record.Start.Owner != caller.Owner))
        {
            return ApiErrors.NotFound($"Completion '{completionId}' not found.");
        }
        var end = record.End;
        return TypedResults.Ok(new CompletionStatusResponse(
            record.CompletionId, record.Start.ModelId, record.Start.RequestId, ModelNames.Of(record.State), record.Start.StartedAt,
            end?.FinishedAt, end?.FinishReason, end is null ? null : CompletionUsageResponse.Of(end.PromptTokens, end.CompletionTokens),
            end?.Text, end?.Error is { } error ? PredictionOutcomeErrors.Code(error) : null, end?.Detail));
    }

    private static async Task<IResult> CancelAsync([FromRoute(Name = "completion_id")] string completionId, HttpContext context, IGrainFactory grains)
    {
        var caller = context.GetRequiredApiKey();
        var outcome = CompletionIds.TryGetModelId(completionId, out var modelId)
            ? await grains.GetGrain<IModelGrain>(modelId).CancelCompletionAsync(completionId, caller.Owner, caller.IsAdmin)
            : CancelCompletionOutcome.NotFound;
        return outcome switch
        {
            CancelCompletionOutcome.Cancelling => TypedResults.Accepted($"/completions/{completionId}", new { id = completionId, status = "cancelling" }),
            CancelCompletionOutcome.AlreadyFinished => ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, $"Completion '{completionId}' has already finished."),
            // Other owners' completions are as invisible as unknown ones.
            _ => ApiErrors.NotFound($"Completion '{completionId}' not found."),
        };
    }

    private static Task WriteFailureAsync(HttpContext context, CompletionChunk failure, string modelId, string? requestId) =>
        PredictionOutcomeErrors.WriteAsync(context, failure.Error!.Value, failure.Detail ?? "The completion failed.", failure.RetryAfter,
            new() { ["model_id"] = modelId, ["request_id"] = requestId });

    /// <summary>Collects the completion and answers once, with an HTTP error status when it fails.</summary>
    private sealed class HttpAnswerSink(HttpContext context, string modelId, string? requestId) : AnswerOnceSink(context)
    {
        public override Task StartedAsync(string completionId)
        {
            Context.Response.Headers["X-Completion-Id"] = completionId;
            return base.StartedAsync(completionId);
        }

        public override Task DoneAsync(CompletionChunk final) =>
            TypedResults.Ok(new CompletionResponse(CompletionId, modelId, requestId, "completed", Text, final.FinishReason,
                CompletionUsageResponse.Of(final.PromptTokens, final.CompletionTokens))).ExecuteAsync(Context);

        public override Task FailedAsync(CompletionChunk failure, bool started) => WriteFailureAsync(Context, failure, modelId, requestId);
    }

    /// <summary>
    /// <c>event: start</c> (id), <c>event: token</c> per piece of text, then <c>event: done</c> (finish reason, usage) or
    /// <c>event: error</c>. A failure before the first token is a plain HTTP error instead.
    /// </summary>
    private sealed class ServerSentEventSink(HttpContext context, string modelId, string? requestId) : ICompletionSink
    {
        private readonly ServerSentEventWriter _sse = new(context.Response);
        private string _id = "";

        public Task RefusedAsync(TokenReservation refusal, long requested) =>
            TokenQuota.WriteRefusalAsync(context, refusal, requested, DateTimeOffset.UtcNow);

        public async Task StartedAsync(string completionId)
        {
            _id = completionId;
            context.Response.Headers["X-Completion-Id"] = completionId;
            await _sse.StartAsync(context.RequestAborted);
            await _sse.WriteAsync("start", new { id = completionId, model_id = modelId, request_id = requestId }, context.RequestAborted);
        }

        public Task TokenAsync(string text) => _sse.WriteStringAsync("token", "text", text, context.RequestAborted);

        public Task DoneAsync(CompletionChunk final) =>
            _sse.WriteAsync("done", new
            {
                id = _id,
                finish_reason = final.FinishReason,
                usage = CompletionUsageResponse.Of(final.PromptTokens, final.CompletionTokens),
            }, context.RequestAborted);

        public async Task FailedAsync(CompletionChunk failure, bool started)
        {
            if (!started)
            {
                await WriteFailureAsync(context, failure, modelId, requestId);
                return;
            }
            await _sse.WriteAsync("error", new
            {
                id = _id,
                error = PredictionOutcomeErrors.Code(failure.Error!.Value),
                detail = failure.Detail,
                model_id = modelId,
                timestamp = DateTimeOffset.UtcNow,
            }, context.RequestAborted);
            // The error is the last event: the client sees the stream end now, not after the tokens are settled.
            await context.Response.CompleteAsync();
        }
    }
}
