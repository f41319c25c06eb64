using Mcp.Cluster.Completions;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>
/// Runs one completion for <c>/completions</c>, <c>/completions/stream</c>, <c>/v1/chat/completions</c> and the
/// WebSocket endpoint: reserves the key's tokens, streams the completion from the model grain (which keeps its record,
/// so it can be read and cancelled from any gateway) into a <see cref="ICompletionSink"/>, and always settles tokens.
/// </summary>
public sealed class CompletionRunner(IGrainFactory grains, TokenQuota quota, ILogger<CompletionRunner> logger)
{
    public const string IdPrefix = "cmpl_";

    /// <summary>Runs the completion; the answer says how it ended and the tokens settled, for its usage event.</summary>
    public async Task<CompletionTally> RunAsync(ApiKeyPrincipal key, string modelId, CompletionRequest request, string? requestId,
        ICompletionSink sink, CancellationToken cancellationToken, string idPrefix = IdPrefix)
    {
        var completionId = CompletionIds.New(idPrefix, modelId);
        request = request with { CompletionId = completionId, Origin = new CompletionOrigin(key.KeyId, key.Owner, requestId) };
        var estimatedPrompt = TokenEstimate.OfPrompt(request.Messages, request.Prompt);
        var reserved = estimatedPrompt + (long)(request.MaxTokens ?? 0);
        var reservation = await quota.ReserveAsync(key.KeyId, completionId, reserved);
        if (!reservation.Granted)
        {
            await sink.RefusedAsync(reservation, reserved);
            return new CompletionTally(StatusCodes.Status429TooManyRequests, 0, 0);
        }

        // Only the length of the text is kept here; the sinks that answer with the whole text collect it themselves.
        var generatedBytes = 0;
        var started = false;
        CompletionChunk? last = null;
        // However the completion ended (done, failed, cancelled, client gone), the reservation is settled with the
        // model's counts when it finished, else the same estimate the model's record shows (the prompt counts once text has flowed).
        (long Prompt, long Completion) Settled() => last is { FinishReason: not null }
            ? (last.PromptTokens, last.CompletionTokens)
            : (started ? estimatedPrompt : 0, TokenEstimate.OfBytes(generatedBytes));
        CompletionTally Tally(int status)
        {
            var (prompt, completion) = Settled();
            return new(status, prompt, completion);
        }
        try
        {
            await foreach (var chunk in grains.GetGrain<IModelGrain>(modelId).StreamAsync(request, cancellationToken).WithCancellation(cancellationToken))
            {
                last = chunk;
                if (chunk.Error is not null)
                {
                    await sink.FailedAsync(chunk, started);
                    return Tally(Models.PredictionOutcomeErrors.Status(chunk.Error.Value));
                }
                if (!started)
                {
                    started = true;
                    await sink.StartedAsync(completionId);
                }
                if (chunk.Text.Length > 0)
                {
                    generatedBytes += System.Text.Encoding.UTF8.GetByteCount(chunk.Text);
                    await sink.TokenAsync(chunk.Text);
                }
                if (chunk.FinishReason is not null)
                {
                    await sink.DoneAsync(chunk);
                    return Tally(StatusCodes.Status200OK);
                }
            }
            last = CompletionChunk.Failure(PredictionOutcome.ModelError, "The model stream ended without a finish reason.");
            await sink.FailedAsync(last, started);
            return Tally(StatusCodes.Status502BadGateway);
        }
        finally
        {
            var (prompt, completion) = Settled();
            try
            {
                await quota.SettleAsync(key.KeyId, completionId, prompt, completion);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Settling the tokens of completion {CompletionId} failed", completionId);
            }
        }
    }
}
