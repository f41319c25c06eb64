namespace Mcp.Cluster.Gateway.Security;

public static class OAuthDefaults
{
    /// <summary>The JwtBearer scheme that validates access tokens from the configured issuer; the ApiKey scheme calls it.</summary>
    public const string Scheme = "OAuth";

    public const string MetadataPath = "/.well-known/oauth-protected-resource";

    /// <summary>What a caller is told when OAuth discovery is tried on a server that signs in with keys only.</summary>
    public const string NotConfigured =
        "This server does not sign in with OAuth (no authorization server is configured). Send your API key in the X-API-Key header or as 'Authorization: Bearer <key>'.";

    /// <summary>
    /// Key-shaped tokens only: signature algorithms whose keys come from the issuer's JWKS. HMAC (<c>HS256</c>, which a
    /// forger would sign with the public key) and <c>none</c> are never accepted.
    /// </summary>
    public static readonly string[] Algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];
}
