using System.Globalization;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// The key check of a <see cref="ReservesTokens"/> request, left for the completion runner: one
/// <see cref="IApiKeyGrain.AuthorizeAndReserveAsync"/> authenticates, authorizes and meters the request and reserves its
/// tokens. A refusal is written here exactly as the scheme and the authorization middleware write it for other routes
/// (401 with the challenge, 403, 429 with Retry-After, the X-RateLimit-* headers), so callers see no difference.
/// </summary>
public sealed class PendingApiKeyAuthorization(
    HttpContext context, string keyId, byte[] presentedHash, ApiKeyRequirement requirement, IGrainFactory grains, ApiKeyRefusalWriter writer)
    : IKeyReservationCheck
{
    private int _asked;

    /// <summary>Asks the key grain; at most once per request, since every ask meters the request.</summary>
    public async Task<KeyReservation> AuthorizeAndReserveAsync(string reservationId, long tokens)
    {
        if (Interlocked.Exchange(ref _asked, 1) != 0)
        {
            throw new InvalidOperationException("A request's key is authorized once.");
        }
        var answer = await grains.GetGrain<IApiKeyGrain>(keyId)
            .AuthorizeAndReserveAsync(new AccessRequest(presentedHash, requirement.Permission, 1), reservationId, tokens);
        return await AnswerAsync(answer.Access, answer.Tokens);
    }

    /// <summary>
    /// Authorizes without a reservation, for a request that ends before a completion could start; writes the refusal
    /// and returns true when the key is not allowed. False, without a call, once the key was asked already.
    /// </summary>
    public async Task<bool> RefuseUnlessAllowedAsync()
    {
        if (Interlocked.Exchange(ref _asked, 1) != 0)
        {
            return false;
        }
        var decision = await grains.GetGrain<IApiKeyGrain>(keyId).AuthorizeAsync(new AccessRequest(presentedHash, requirement.Permission, 1));
        return (await AnswerAsync(decision, TokenReservation.Ok)).Key is null;
    }

    private async Task<KeyReservation> AnswerAsync(AccessDecision decision, TokenReservation? tokens)
    {
        if (ApiKeyRefusalWriter.Unauthenticated(decision.Outcome) is { } failure)
        {
            // Not a genuine key: the request is nobody's traffic.
            context.Features.Set<ApiKeyPrincipal>(null);
            await writer.WriteUnauthorizedAsync(context, failure, requirement.Browser);
            return KeyReservation.Refused(StatusCodes.Status401Unauthorized);
        }

        context.Usage().KeyId = keyId;
        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (decision.Outcome != AccessOutcome.Allowed || tokens is not { } reservation)
        {
            context.Features.Set<ApiKeyPrincipal>(null);
            var access = new ApiKeyAccess(requirement, decision, 1);
            await writer.WriteAsync(context, access);
            return KeyReservation.Refused(ApiKeyRefusalWriter.StatusOf(access));
        }
        var principal = new ApiKeyPrincipal(keyId, decision.Owner!, decision.Permissions) { PresentedKeyHash = presentedHash };
        context.Features.Set(principal);
        return new KeyReservation(principal, reservation, StatusCodes.Status200OK);
    }
}

/// <summary>
/// The answer to <see cref="PendingApiKeyAuthorization.AuthorizeAndReserveAsync"/>: the authorized caller and its
/// token reservation (which may itself be refused), or no caller when the refusal was already written with
/// <see cref="Status"/>.
/// </summary>
public sealed record KeyReservation(ApiKeyPrincipal? Key, TokenReservation? Tokens, int Status)
{
    public static KeyReservation Refused(int status) => new(null, null, status);
}
