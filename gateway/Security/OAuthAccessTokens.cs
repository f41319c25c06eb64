using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Turns an <c>Authorization: Bearer</c> value that is not an API key into a key-like caller: the JwtBearer scheme
/// (<see cref="OAuthDefaults.Scheme"/>) checks signature, issuer, audience and lifetime against the configured issuer,
/// <see cref="OAuthTokenCaller"/> maps its claims, <see cref="OAuthSubjectKeys"/> gives the key that meters it.
/// </summary>
public sealed class OAuthAccessTokens(IOptions<OAuthOptions> options, OAuthSubjectKeys keys, IOptionsMonitor<JwtBearerOptions> jwt)
{
    public bool Enabled => options.Value.Enabled;

    public async Task<(string? KeyId, byte[] SecretHash, string? Problem)> AuthenticateAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OAuthDefaults.Scheme);
        if (!result.Succeeded)
        {
            var unavailable = await IssuerUnavailableAsync(result.Failure, context.RequestAborted);
            context.Features.Set(new PresentedAccessToken(unavailable));
            return (null, [], unavailable ? IssuerUnavailable : Describe(result.Failure));
        }
        var (caller, problem) = OAuthTokenCaller.From(result.Principal, options.Value);
        if (caller is null)
        {
            context.Features.Set(new PresentedAccessToken());
            return (null, [], problem);
        }
        context.Features.Set(new PresentedAccessToken());
        var (keyId, hash) = await keys.EnsureAsync(caller);
        return (keyId, hash, null);
    }

    public const string IssuerUnavailable = "The access token cannot be checked now: the authorization server's keys could not be read. Try again shortly.";

    /// <summary>
    /// The token handler carries on without the issuer's keys when it cannot fetch them, so a token it could not match to
    /// a key may be fine: ask the configuration manager (it caches a good answer) whether the keys are to be had at all.
    /// </summary>
    private async Task<bool> IssuerUnavailableAsync(Exception? failure, CancellationToken cancellationToken)
    {
        if (failure is not (SecurityTokenSignatureKeyNotFoundException or InvalidOperationException)
            || jwt.Get(OAuthDefaults.Scheme).ConfigurationManager is not { } configuration)
        {
            return false;
        }
        try
        {
            await configuration.GetConfigurationAsync(cancellationToken);
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>A fixed sentence per kind of failure: it goes into a header, and the library's text names internals.</summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The access token has expired.",
        SecurityTokenNotYetValidException => "The access token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The access token was issued for another resource.",
        SecurityTokenInvalidIssuerException => "The access token comes from another issuer.",
        SecurityTokenInvalidAlgorithmException => "The access token is signed with an algorithm this server does not accept.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The access token's signature does not verify.",
        SecurityTokenNoExpirationException => "The access token has no expiry.",
        _ => "The access token is not valid.",
    };
}
