using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>
/// Reserve-then-settle against the caller key's token quotas: the largest use a completion can have is reserved
/// before it starts and settled to the real count when it ends, however it ends.
/// </summary>
public sealed class TokenQuota(IGrainFactory grains)
{
    public const string ErrorCode = "token_quota_exceeded";

    public Task<TokenReservation> ReserveAsync(string keyId, string reservationId, long tokens) =>
        grains.GetGrain<IApiKeyGrain>(keyId).ReserveTokensAsync(reservationId, tokens);

    /// <summary>Extends the reservation's lease and reports what the completion has used so far.</summary>
    public Task RenewAsync(string keyId, string reservationId, long promptTokens, long completionTokens) =>
        grains.GetGrain<IApiKeyGrain>(keyId).RenewTokensAsync(reservationId, promptTokens, completionTokens);

    /// <summary>Always runs to the end, even when the client has gone, so a reservation is never left open.</summary>
    public Task SettleAsync(string keyId, string reservationId, long promptTokens, long completionTokens) =>
        grains.GetGrain<IApiKeyGrain>(keyId).SettleTokensAsync(reservationId, promptTokens, completionTokens);

    public static Task WriteRefusalAsync(HttpContext context, TokenReservation refusal, long requested, DateTimeOffset now)
    {
        var retryAt = refusal.RetryAt ?? now.AddMinutes(1);
        var retry = RetryAfterHeader.Set(context.Response, retryAt - now);
        var window = refusal.Window == "day" ? "daily" : "per-minute";
        return ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCode,
            $"This request may use up to {requested} tokens but the key's {window} token quota of {refusal.Limit} has {Math.Max(0, (refusal.Limit ?? 0) - (refusal.Used ?? 0))} left. Try again in {retry} seconds or lower max_tokens.",
            new() { ["quota"] = refusal.Window, ["limit"] = refusal.Limit, ["requested"] = requested, ["reset_time"] = retryAt.ToUnixTimeSeconds() });
    }
}
