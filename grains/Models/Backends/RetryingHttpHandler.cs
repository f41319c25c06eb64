using System.Net;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// Retries transient provider failures (connection errors, 408, 429, 500, 502, 503, 504) with exponential backoff
/// and jitter. A <c>Retry-After</c> header (seconds or date) replaces the computed delay; when that wait would
/// exceed <paramref name="maxDelay"/> the response is returned as is rather than holding the caller.
/// </summary>
public sealed class RetryingHttpHandler(int maxRetries, TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // The body must be replayable for a retry.
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage? response = null;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            // A refusal by the outbound policy is not transient: the same address would be refused again.
            catch (HttpRequestException e) when (attempt < maxRetries && !cancellationToken.IsCancellationRequested
                && e.InnerException is not Outbound.OutboundRefusedException)
            {
                await Task.Delay(Backoff(attempt), time, cancellationToken);
                continue;
            }

            if (attempt >= maxRetries || !IsTransient(response.StatusCode))
            {
                return response;
            }
            var delay = RetryAfter(response) ?? Backoff(attempt);
            if (delay > maxDelay)
            {
                return response;
            }
            response.Dispose();
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        // OpenAI-compatible servers also send the wait in milliseconds.
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }
        return null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var jittered = exponential * (0.8 + Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(jittered, maxDelay.TotalMilliseconds));
    }
}
