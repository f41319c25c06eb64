using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// An OpenID Connect provider as far as a resource server sees one: its discovery document (at both well-known
/// names), its JWKS, and RS256 access tokens it mints for tests. The gateway validates these with the real JwtBearer
/// handler, reading the keys over HTTP as it would from any provider. It also forges the tokens an attacker would try
/// (unsigned, HMAC with the public key, signed by another key under this key's id). It offers no registration
/// endpoint, so a client that finds it stops before opening a browser.
/// </summary>
public sealed class OidcTestIssuer : WireServer, IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _stranger = RSA.Create(2048);

    public string KeyId { get; } = "test-key-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The issuer identifier (<c>iss</c>): the base URL without its trailing slash.</summary>
    public string Issuer => BaseUri.ToString().TrimEnd('/');

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/.well-known/openid-configuration", () => Results.Json(Discovery()));
        routes.MapGet("/.well-known/oauth-authorization-server", () => Results.Json(Discovery()));
        routes.MapGet("/jwks", () => Results.Json(new { keys = new[] { Jwk(_key, KeyId) } }));
    }

    private Dictionary<string, object> Discovery() => new()
    {
        ["issuer"] = Issuer,
        ["jwks_uri"] = Issuer + "/jwks",
        ["authorization_endpoint"] = Issuer + "/authorize",
        ["token_endpoint"] = Issuer + "/token",
        ["response_types_supported"] = new[] { "code" },
        ["grant_types_supported"] = new[] { "authorization_code" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["scopes_supported"] = new[] { "openid", "mcp:read", "mcp:write", "mcp:execute", "mcp:admin" },
    };

    /// <summary>
    /// An RS256 access token signed with the published key. <paramref name="claims"/> may add or override any claim
    /// (<c>iss</c>, <c>aud</c>, <c>exp</c>, …); a null value removes it.
    /// </summary>
    public string Mint(string subject, string scope, string audience, TimeSpan? lifetime = null, IDictionary<string, object?>? claims = null) =>
        Sign(Claims(subject, scope, audience, lifetime ?? TimeSpan.FromMinutes(5), claims), _key);

    /// <summary>Signed by a key the issuer never published, under the published key's id.</summary>
    public string MintWithStrangerKey(string subject, string scope, string audience) =>
        Sign(Claims(subject, scope, audience, TimeSpan.FromMinutes(5), null), _stranger);

    /// <summary><c>alg: none</c> and no signature.</summary>
    public string MintUnsigned(string subject, string scope, string audience) =>
        Encode(new { alg = "none", typ = "JWT" }) + "." + Encode(Claims(subject, scope, audience, TimeSpan.FromMinutes(5), null)) + ".";

    /// <summary>The key-confusion forgery: HS256 with the issuer's public key (as published) as the HMAC secret.</summary>
    public string MintHs256WithPublicKey(string subject, string scope, string audience)
    {
        var signingInput = Encode(new { alg = "HS256", typ = "JWT", kid = KeyId }) + "." + Encode(Claims(subject, scope, audience, TimeSpan.FromMinutes(5), null));
        var secret = Encoding.UTF8.GetBytes(_key.ExportSubjectPublicKeyInfoPem());
        return signingInput + "." + Base64Url(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    private Dictionary<string, object?> Claims(string subject, string scope, string audience, TimeSpan lifetime, IDictionary<string, object?>? extra)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = audience,
            ["scope"] = scope,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.AddSeconds(-5).ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["client_id"] = "mcp-cluster-tests",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, object?>())
        {
            claims[name] = value;
        }
        foreach (var name in claims.Where(c => c.Value is null).Select(c => c.Key).ToArray())
        {
            claims.Remove(name);
        }
        return claims;
    }

    private string Sign(object claims, RSA key)
    {
        var signingInput = Encode(new { alg = "RS256", typ = "at+jwt", kid = KeyId }) + "." + Encode(claims);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static object Jwk(RSA key, string kid)
    {
        var parameters = key.ExportParameters(false);
        return new { kty = "RSA", use = "sig", alg = "RS256", kid, n = Base64Url(parameters.Modulus!), e = Base64Url(parameters.Exponent!) };
    }

    private static string Encode(object value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _key.Dispose();
        _stranger.Dispose();
    }
}
