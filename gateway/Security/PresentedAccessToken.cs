namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Request feature: the caller presented an OAuth access token (not an API key), so its 401s carry
/// <c>error="invalid_token"</c> and its 403s <c>error="insufficient_scope"</c> in the Bearer challenge.
/// </summary>
public sealed record PresentedAccessToken(string Subject, string Issuer);
