using Mcp.Cluster.ApiKeys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// The <c>WWW-Authenticate</c> values of refusals. Without an authorization server only the key header is named
/// (<c>ApiKey header="X-API-Key"</c>): no Bearer challenge, so MCP clients do not go looking for OAuth. With one, a
/// Bearer challenge comes first (clients read the first scheme) pointing at the protected resource metadata (RFC 9728,
/// MCP authorization 2025-11-25), with <c>error</c> when a token was presented and a <c>scope</c> hint.
/// </summary>
public sealed class OAuthChallenges(IOptions<OAuthOptions> options)
{
    public const string ApiKeyChallenge = "ApiKey header=\"" + ApiKeyAuthenticationDefaults.HeaderName + "\"";

    public StringValues Unauthorized(HttpContext context, Permissions required, string detail)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return ApiKeyChallenge;
        }
        var error = context.Features.Get<PresentedAccessToken>() is null ? "" : $", error=\"invalid_token\", error_description=\"{Quoted(detail)}\"";
        return new StringValues([$"Bearer resource_metadata=\"{MetadataUrl(settings)}\"{ScopeHint(settings, required)}{error}", ApiKeyChallenge]);
    }

    /// <summary>For a token holder refused a permission: which scopes would grant it (step-up), or null for key holders.</summary>
    public string? InsufficientScope(HttpContext context, Permissions required)
    {
        var settings = options.Value;
        if (!settings.Enabled || context.Features.Get<PresentedAccessToken>() is null)
        {
            return null;
        }
        return $"Bearer error=\"insufficient_scope\"{ScopeHint(settings, required)}, resource_metadata=\"{MetadataUrl(settings)}\"";
    }

    /// <summary>RFC 9728 §3.1: the well-known path goes between the resource's host and its path.</summary>
    public static string MetadataUrl(OAuthOptions settings)
    {
        var resource = new Uri(settings.Resource!.Trim());
        return resource.GetLeftPart(UriPartial.Authority) + OAuthDefaults.MetadataPath + resource.AbsolutePath.TrimEnd('/');
    }

    /// <summary>
    /// The scopes that grant <paramref name="required"/>; for the MCP endpoint itself (no permission) those for reading
    /// and executing, what a client needs to list and call tools, so nobody is steered to ask for admin.
    /// </summary>
    private static string ScopeHint(OAuthOptions settings, Permissions required)
    {
        var wanted = required == Permissions.None ? [Permissions.Read, Permissions.Execute] : new[] { required };
        var scopes = wanted.SelectMany(settings.ScopesGranting).Distinct(StringComparer.Ordinal).ToArray();
        return scopes.Length == 0 ? "" : $", scope=\"{string.Join(' ', scopes)}\"";
    }

    private static string Quoted(string text) => new(text.Where(c => c is >= ' ' and <= '~' and not '"' and not '\\').ToArray());
}
