using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Completions;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>
/// Runs one completion for <c>/completions</c>, <c>/completions/stream</c>, <c>/v1/chat/completions</c> and the
/// WebSocket endpoint: reserves the key's tokens (on <see cref="ReservesTokens"/> routes in the same key-grain call that
/// authorizes the key), streams the completion from the model's executor (its model grain keeps the record, so it can
/// be read and cancelled from any gateway) into a <see cref="ICompletionSink"/>, and always settles tokens.
/// While it streams it renews the reservation's lease, so a gateway that dies leaves the settling to the key grain.
/// A stream whose node fails (its grain call fails, or it goes silent: no chunk and no heartbeat for
/// <see cref="CompletionOptions.StreamIdleTimeout"/>) ends with an error at once, never a reset connection.
/// </summary>
public sealed class CompletionRunner(IGrainFactory grains, TokenQuota quota, IOptions<CompletionOptions> options, TimeProvider time,
    ILogger<CompletionRunner> logger)
{
    public const string IdPrefix = "cmpl_";

    /// <summary>
    /// Runs the completion; the answer says how it ended and the tokens settled, for its usage event.
    /// <paramref name="keyCheck"/>: the one key-grain call still owed before streaming (by default the HTTP route's pending check).
    /// </summary>
    public async Task<CompletionTally> RunAsync(ApiKeyPrincipal key, string modelId, CompletionRequest request, string? requestId,
        ICompletionSink sink, CancellationToken cancellationToken, string idPrefix = IdPrefix, IKeyReservationCheck? keyCheck = null)
    {
        var settings = options.Value;
        var completionId = CompletionIds.New(idPrefix, modelId);
        var estimatedPrompt = TokenEstimate.OfPrompt(request.Messages, request.Prompt);
        var reserved = estimatedPrompt + (long)(request.MaxTokens ?? 0);
        TokenReservation reservation;
        if ((keyCheck ?? key.Pending) is { } pending)
        {
            // One key-grain call before anything streams: authorization, metering and the reservation together.
            var answer = await pending.AuthorizeAndReserveAsync(completionId, reserved);
            if (answer.Key is null)
            {
                return new CompletionTally(answer.Status, 0, 0);
            }
            (key, reservation) = (answer.Key, answer.Tokens!);
        }
        else
        {
            // The caller authorized the key already.
            reservation = await quota.ReserveAsync(key.KeyId, completionId, reserved);
        }
        if (!reservation.Granted)
        {
            await sink.RefusedAsync(reservation, reserved);
            return new CompletionTally(StatusCodes.Status429TooManyRequests, 0, 0);
        }
        request = request with
        {
            CompletionId = completionId,
            Origin = new CompletionOrigin(key.KeyId, key.Owner, requestId),
            Heartbeat = settings.StreamHeartbeat,
        };

        // Only the length of the text is kept here; the sinks that answer with the whole text collect it themselves.
        var generatedBytes = 0;
        var started = false;
        CompletionChunk? last = null;
        // However the completion ended (done, failed, cancelled, client gone), the reservation is settled with the
        // model's counts when it finished, else the same estimate the model's record shows (the prompt counts once text has flowed).
        // The lease renewals read it too, a chunk behind at worst.
        (long Prompt, long Completion) Settled() => last is { FinishReason: not null }
            ? (last.PromptTokens, last.CompletionTokens)
            : (started ? estimatedPrompt : 0, TokenEstimate.OfBytes(generatedBytes));
        CompletionTally Tally(int status)
        {
            var (prompt, completion) = Settled();
            return new(status, prompt, completion);
        }
        var feed = new ModelStreamFeed(token => grains.GetGrain<IModelExecutorGrain>(modelId).StreamAsync(request, token), cancellationToken);
        using var renewal = new CancellationTokenSource();
        var renewing = RenewLeaseAsync(key.KeyId, completionId, reservation.Lease, Settled, renewal.Token);
        try
        {
            while (true)
            {
                CompletionChunk? chunk;
                try
                {
                    chunk = await feed.ReadAsync(settings.StreamIdleTimeout, time, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The node streaming the completion failed or went silent: say so in the stream's own error shape.
                    logger.LogWarning(e, "Completion {CompletionId} on model {ModelId} lost its stream", completionId, modelId);
                    last = CompletionChunk.Failure(PredictionOutcome.Unavailable, e is TimeoutException
                        ? $"The node running this completion stopped answering ({e.Message}); it may have failed. Retry the request."
                        : $"The node running this completion failed ({e.GetType().Name}). Retry the request.");
                    await sink.FailedAsync(last, started);
                    return Tally(StatusCodes.Status503ServiceUnavailable);
                }
                if (chunk is null)
                {
                    break;
                }
                if (chunk.Heartbeat)
                {
                    continue;
                }
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
            // Not waited for: when the silo is gone, ending the grain call takes up to Orleans' response timeout.
            await feed.StopAsync();
            await renewal.CancelAsync();
            await renewing;
            var (prompt, completion) = Settled();
            try
            {
                // Bounded: when the key's silo is gone, its lease settles the reservation instead.
                await quota.SettleAsync(key.KeyId, completionId, prompt, completion).WaitAsync(settings.SettleTimeout, time);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Settling the tokens of completion {CompletionId} failed; the key's token lease settles them", completionId);
            }
        }
    }

    /// <summary>Renews the reservation's lease at a third of its length, reporting the use so far, until stopped.</summary>
    private async Task RenewLeaseAsync(string keyId, string reservationId, TimeSpan? lease, Func<(long Prompt, long Completion)> used,
        CancellationToken stop)
    {
        if (lease is not { } length || length <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(length / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var (prompt, completion) = used();
                try
                {
                    await quota.RenewAsync(keyId, reservationId, prompt, completion).WaitAsync(stop);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Renewing the token lease of completion {CompletionId} failed; trying again", reservationId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
