using System.Net;
using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Bound from the <c>OAuth</c> section: the operator's authorization server (any OpenID Connect provider) whose JWT
/// access tokens the gateway accepts beside API keys. Off while <see cref="Authority"/> is empty; then 401s name only the
/// key header, so MCP clients ask for a key instead of starting an OAuth flow.
/// </summary>
public sealed class OAuthOptions
{
    public const string Section = "OAuth";

    /// <summary>
    /// The issuer's base URL; its keys are read from <c>{Authority}/.well-known/openid-configuration</c> and the JWKS it
    /// names. https, or http only on a loopback address (a local test issuer). Only ever taken from configuration.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The <c>iss</c> tokens must carry; defaults to <see cref="Authority"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// This server's canonical resource URI as clients reach it (e.g. <c>https://mcp.example.com/mcp</c>): the
    /// <c>resource</c> of the protected resource metadata and the audience tokens are issued for (RFC 8707). Required
    /// with <see cref="Authority"/>: it is never taken from a request's Host header.
    /// </summary>
    public string? Resource { get; set; }

    /// <summary>The <c>aud</c> tokens must carry; defaults to <see cref="Resource"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim whose values (a space-separated string or an array) grant permissions through <see cref="ScopeMap"/>.</summary>
    public string PermissionClaim { get; set; } = "scope";

    /// <summary>Claim values granting <c>read</c>; unset means <c>mcp:read</c>. Each list's values are also <c>scopes_supported</c>.</summary>
    public string[]? ReadScopes { get; set; }

    /// <summary>Claim values granting <c>write</c>; unset means <c>mcp:write</c>.</summary>
    public string[]? WriteScopes { get; set; }

    /// <summary>Claim values granting <c>execute</c>; unset means <c>mcp:execute</c>.</summary>
    public string[]? ExecuteScopes { get; set; }

    /// <summary>Claim values granting <c>admin</c>; unset means <c>mcp:admin</c>. An empty value (<c>""</c>) lets no token administer.</summary>
    public string[]? AdminScopes { get; set; }

    /// <summary>Every (claim value, permission) pair, read scopes first.</summary>
    public IReadOnlyList<(string Scope, Permissions Permission)> ScopeMap =>
    [
        .. Effective(ReadScopes, "mcp:read").Select(s => (s, Mcp.Cluster.ApiKeys.Permissions.Read)),
        .. Effective(WriteScopes, "mcp:write").Select(s => (s, Mcp.Cluster.ApiKeys.Permissions.Write)),
        .. Effective(ExecuteScopes, "mcp:execute").Select(s => (s, Mcp.Cluster.ApiKeys.Permissions.Execute)),
        .. Effective(AdminScopes, "mcp:admin").Select(s => (s, Mcp.Cluster.ApiKeys.Permissions.Admin)),
    ];

    public IEnumerable<string> ScopesSupported => ScopeMap.Select(m => m.Scope).Distinct(StringComparer.Ordinal);

    private static IEnumerable<string> Effective(string[]? configured, string fallback) =>
        configured is null ? [fallback] : configured.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim());

    /// <summary>The claim naming the token holder's owner (models, prompts and grants belong to it).</summary>
    public string OwnerClaim { get; set; } = "sub";

    /// <summary>Put in front of every owner taken from a token, to keep token owners apart from key owners.</summary>
    public string OwnerPrefix { get; set; } = "";

    /// <summary>Rate limit of a token holder (per subject and permission set); defaults to <c>ApiKeys:DefaultRateLimit</c>.</summary>
    public string? RateLimit { get; set; }

    public long? DailyQuota { get; set; }

    public long? MonthlyQuota { get; set; }

    /// <summary>Allowed difference between the issuer's clock and ours when checking a token's lifetime.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public string EffectiveIssuer => string.IsNullOrWhiteSpace(Issuer) ? Authority!.Trim() : Issuer.Trim();

    public string EffectiveAudience => string.IsNullOrWhiteSpace(Audience) ? Resource!.Trim() : Audience.Trim();

    /// <summary>The permissions a token's claim values grant (values without a mapping grant nothing).</summary>
    public Permissions PermissionsFor(IEnumerable<string> values)
    {
        var held = values.ToHashSet(StringComparer.Ordinal);
        return ScopeMap.Where(m => held.Contains(m.Scope)).Aggregate(Permissions.None, (all, m) => all | m.Permission);
    }

    /// <summary>The claim values that grant <paramref name="permission"/>, for a 401/403 challenge's <c>scope</c> hint.</summary>
    public IEnumerable<string> ScopesGranting(Permissions permission) =>
        ScopeMap.Where(m => m.Permission == permission).Select(m => m.Scope);

    /// <summary>Cross-field rules, checked when the host starts; null when the settings hold together.</summary>
    public string? Problem()
    {
        if (!Enabled)
        {
            return null;
        }
        if (!IsSafeIssuerUrl(Authority!.Trim()))
        {
            return "OAuth:Authority must be an absolute https URL without query, fragment or user info (http only on a loopback address).";
        }
        if (!string.IsNullOrWhiteSpace(Issuer) && !Uri.IsWellFormedUriString(Issuer.Trim(), UriKind.Absolute))
        {
            return "OAuth:Issuer must be an absolute URL.";
        }
        if (string.IsNullOrWhiteSpace(Resource) || !Uri.TryCreate(Resource.Trim(), UriKind.Absolute, out var resource)
            || resource.Scheme is not ("https" or "http") || resource.Fragment.Length > 0 || resource.Query.Length > 0)
        {
            return "OAuth:Resource must be this server's absolute http(s) URL as clients reach it (e.g. https://mcp.example.com/mcp), without query or fragment.";
        }
        if (string.IsNullOrWhiteSpace(PermissionClaim) || string.IsNullOrWhiteSpace(OwnerClaim))
        {
            return "OAuth:PermissionClaim and OAuth:OwnerClaim must name a claim.";
        }
        foreach (var (value, _) in ScopeMap)
        {
            if (value.Any(char.IsWhiteSpace) || value.Any(c => c is '"' or '\\' || char.IsControl(c)))
            {
                return $"OAuth scopes (ReadScopes, WriteScopes, ExecuteScopes, AdminScopes): '{value}' is not a scope value (no spaces, quotes or backslashes).";
            }
        }
        if (RateLimit is not null && !Mcp.Cluster.ApiKeys.RateLimit.TryParse(RateLimit, out _, out var error))
        {
            return $"OAuth:RateLimit: {error}";
        }
        if (DailyQuota is < 1 || MonthlyQuota is < 1)
        {
            return "OAuth:DailyQuota and OAuth:MonthlyQuota must be at least 1 when set.";
        }
        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            return "OAuth:ClockSkew must be between 0 and 5 minutes.";
        }
        return null;
    }

    /// <summary>
    /// The issuer's keys are fetched from this URL, so it must not lead anywhere a plain-text answer could be forged:
    /// https, or http to a loopback address (the gateway's own machine).
    /// </summary>
    public static bool IsSafeIssuerUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)));

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback && (uri.HostNameType != UriHostNameType.Dns || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
