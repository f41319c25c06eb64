using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Usage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// The <c>ApiKey</c> scheme. For an endpoint carrying <see cref="ApiKeyRequirement"/> it asks the key grain once
/// (<see cref="IApiKeyGrain.AuthorizeAsync"/>): that one answer authenticates the key, decides permission, rate limit
/// and quota, and meters the request. The answer is kept as <see cref="ApiKeyAccess"/> for
/// <see cref="ApiKeyAuthorizationHandler"/>; the result is cached per request by the base class, so the challenge
/// reads it without another call. Runs before the body is bound, so an unauthenticated caller gets 401 whatever it sent.
/// On a <see cref="ReservesTokens"/> route it only checks that a well-formed key was presented and leaves the grain call
/// to the completion runner (<see cref="PendingApiKeyAuthorization"/>), which reserves the tokens in that same call.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains,
    ApiKeyHasher hasher,
    ApiKeyRefusalWriter writer,
    OAuthAccessTokens tokens,
    Telemetry.McpMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string MissingKey = "Missing API key. Send it in the X-API-Key header or as 'Authorization: Bearer <key>'.";
    public const string MissingCredentials =
        "Missing API key or access token. Send an API key in the X-API-Key header, or an access token from the authorization server named in the resource metadata as 'Authorization: Bearer <token>'.";
    public const string KeyIdClaim = "mcp:key_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var requirement = Context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>();
        if (requirement is null)
        {
            return AuthenticateResult.NoResult();
        }
        var presented = PresentedApiKey.Read(Request, requirement.Browser);
        if (presented is null)
        {
            // Anonymous: the requirement decides whether that is enough (AllowAnonymous) or a challenge.
            return AuthenticateResult.NoResult();
        }
        string keyId;
        byte[] presentedHash;
        if (ApiKeyFormat.TryGetKeyId(presented, out keyId))
        {
            presentedHash = hasher.Hash(presented);
        }
        else if (tokens.Enabled && PresentedApiKey.IsBearer(Request))
        {
            // Not key-shaped: an access token from the configured issuer, standing for its subject's key.
            var (tokenKeyId, tokenHash, problem) = await tokens.AuthenticateAsync(Context);
            if (tokenKeyId is null)
            {
                return AuthenticateResult.Fail(problem!);
            }
            (keyId, presentedHash) = (tokenKeyId, tokenHash);
        }
        else
        {
            return AuthenticateResult.Fail(ApiKeyRefusalWriter.InvalidKey);
        }
        if (Context.GetEndpoint()?.Metadata.GetMetadata<ReservesTokens>() is not null)
        {
            // The completion runner asks the grain once, with the reservation the body calls for.
            var pending = new PendingApiKeyAuthorization(Context, keyId, presentedHash, requirement, grains, writer);
            Context.Features.Set(new ApiKeyPrincipal(keyId, "", Permissions.None) { PresentedKeyHash = presentedHash, Pending = pending });
            return Authenticated(keyId, "");
        }

        var batchSize = requirement.BatchProperty is null ? 1 : await BatchSizeAsync(Request, requirement.BatchProperty);
        var access = new ApiKeyAccess(requirement, AccessDecision.Unknown, batchSize);
        var decision = await grains.GetGrain<IApiKeyGrain>(keyId)
            .AuthorizeAsync(new AccessRequest(presentedHash, requirement.Permission, access.Cost));

        if (ApiKeyRefusalWriter.Unauthenticated(decision.Outcome) is { } failure)
        {
            return AuthenticateResult.Fail(failure);
        }

        // The key is genuine from here on: refusals (rate limit, quota, permission) are its traffic too.
        Context.Usage().KeyId = keyId;
        var headers = Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Context.Features.Set(access with { Decision = decision });
        if (decision.Outcome == AccessOutcome.Allowed && !access.Oversize)
        {
            Context.Features.Set(new ApiKeyPrincipal(keyId, decision.Owner!, decision.Permissions) { PresentedKeyHash = presentedHash });
        }

        return Authenticated(keyId, decision.Owner ?? "");
    }

    private AuthenticateResult Authenticated(string keyId, string owner)
    {
        var identity = new ClaimsIdentity(
            // NameIdentifier is what the MCP SDK binds a stateful session to: the key, so another key cannot take it over.
            [new Claim(KeyIdClaim, keyId), new Claim(ClaimTypes.NameIdentifier, keyId), new Claim(ClaimTypes.Name, owner)],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>401 in the documented shape, with the reason the key failed (or that none was sent).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (Context.Features.Get<PresentedAccessToken>() is { IssuerUnavailable: true })
        {
            metrics.Rejected("issuer_unavailable");
            RetryAfterHeader.Set(Response, TimeSpan.FromSeconds(30));
            await ApiErrors.WriteAsync(Context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, result.Failure?.Message ?? "The authorization server is unavailable.");
            return;
        }
        var browser = Context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>()?.Browser == true;
        await writer.WriteUnauthorizedAsync(Context, result.Failure?.Message ?? (tokens.Enabled && !browser ? MissingCredentials : MissingKey), browser);
    }

    /// <summary>Only reached when no <see cref="ApiKeyRefusal"/> explains the refusal; the result handler writes those.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        metrics.Rejected("forbidden");
        return ApiErrors.WriteAsync(Context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "This API key may not do that.");
    }

    /// <summary>
    /// Counts the batch before the handler runs, so a batch larger than what remains is refused whole. A body that
    /// does not parse costs 1 and is then rejected by model binding.
    /// </summary>
    private static async Task<int> BatchSizeAsync(HttpRequest request, string property)
    {
        request.EnableBuffering();
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var items)
                && items.ValueKind == JsonValueKind.Array
                ? Math.Max(1, items.GetArrayLength())
                : 1;
        }
        catch (JsonException)
        {
            return 1;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }
}
