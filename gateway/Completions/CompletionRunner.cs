using System.Security.Cryptography;
using System.Text;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Completions;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>
/// Runs one completion for <c>/completions</c>, <c>/completions/stream</c> and the WebSocket endpoint: reserves the
/// key's tokens, registers the completion (so it can be read and cancelled from any gateway), streams it from the
/// model grain into a <see cref="ICompletionSink"/>, and always settles tokens and records how it ended.
/// </summary>
public sealed class CompletionRunner(IGrainFactory grains, TokenQuota quota, TimeProvider time, ILogger<CompletionRunner> logger)
{
    public static string NewId() => "cmpl_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz234567", 24);

    public async Task RunAsync(ApiKeyPrincipal key, string modelId, CompletionRequest request, string? requestId,
        ICompletionSink sink, CancellationToken cancellationToken)
    {
        var completionId = request.CompletionId ?? throw new ArgumentException("The request needs a completion id.", nameof(request));
        var estimatedPrompt = TokenEstimate.OfPrompt(request.Messages, request.Prompt);
        var reserved = estimatedPrompt + (long)(request.MaxTokens ?? 0);
        var reservation = await quota.ReserveAsync(key.KeyId, completionId, reserved);
        if (!reservation.Granted)
        {
            await sink.RefusedAsync(reservation, reserved);
            return;
        }

        var completion = grains.GetGrain<ICompletionGrain>(completionId);
        await completion.StartAsync(new CompletionStart(modelId, key.KeyId, key.Owner, time.GetUtcNow(), requestId));
        var text = new StringBuilder();
        var started = false;
        CompletionChunk? last = null;
        try
        {
            await foreach (var chunk in grains.GetGrain<IModelGrain>(modelId).StreamAsync(request, cancellationToken).WithCancellation(cancellationToken))
            {
                last = chunk;
                if (chunk.Error is not null)
                {
                    await sink.FailedAsync(chunk, started);
                    return;
                }
                if (!started)
                {
                    started = true;
                    await sink.StartedAsync(completionId);
                }
                if (chunk.Text.Length > 0)
                {
                    text.Append(chunk.Text);
                    await sink.TokenAsync(chunk.Text);
                }
                if (chunk.FinishReason is not null)
                {
                    await sink.DoneAsync(chunk, text.ToString());
                    return;
                }
            }
            last = CompletionChunk.Failure(PredictionOutcome.ModelError, "The model stream ended without a finish reason.");
            await sink.FailedAsync(last, started);
        }
        finally
        {
            // However the completion ended (done, failed, cancelled, client gone), settle and record it.
            var (prompt, completionTokens) = last is { FinishReason: not null }
                ? (last.PromptTokens, last.CompletionTokens)
                : (started ? estimatedPrompt : 0, TokenEstimate.Of(text.ToString()));
            var state = last switch
            {
                { FinishReason: not null } => CompletionState.Completed,
                { Error: PredictionOutcome.Cancelled } => CompletionState.Cancelled,
                null => CompletionState.Cancelled,
                _ => CompletionState.Failed,
            };
            try
            {
                await quota.SettleAsync(key.KeyId, completionId, prompt, completionTokens);
                await completion.FinishAsync(new CompletionEnd(state, time.GetUtcNow(), last?.FinishReason, prompt, completionTokens,
                    text.ToString(), last?.Error is { } error ? PredictionOutcomeErrors.Code(error) : null, last?.Detail));
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Recording the end of completion {CompletionId} failed", completionId);
            }
        }
    }
}
