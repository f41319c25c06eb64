namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Request feature: the caller presented an OAuth access token (not an API key), so its 401s carry
/// <c>error="invalid_token"</c> and its 403s <c>error="insufficient_scope"</c> in the Bearer challenge.
/// <see cref="IssuerUnavailable"/>: the token could not be checked because the issuer's keys could not be read, which
/// is answered 503 (the token may be fine; signing in again would not help).
/// </summary>
public sealed record PresentedAccessToken(bool IssuerUnavailable = false);
