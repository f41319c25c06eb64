namespace Mcp.Cluster.Client;

public sealed partial class McpClient
{
    /// <summary>
    /// Creates a key (<c>POST /api/keys</c>). The answer is the only place the secret appears. Works without a key of
    /// one's own when the gateway allows self-service.
    /// </summary>
    public Task<IssuedKey> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PostAsync("api/keys", request, McpJsonContext.Default.CreateKeyRequest, McpJsonContext.Default.IssuedKey, cancellationToken);
    }

    /// <summary>The caller and the keys it created (every key for an admin).</summary>
    public Task<ApiKeyList> ListKeysAsync(string? owner = null, int? offset = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync("api/keys" + Query(("owner", owner), ("offset", offset), ("limit", limit)), McpJsonContext.Default.ApiKeyList, cancellationToken);

    /// <summary>The key this client sends (<c>GET /api/keys/me</c>).</summary>
    public Task<ApiKeyInfo> GetCurrentKeyAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/keys/me", McpJsonContext.Default.ApiKeyInfo, cancellationToken);

    /// <summary>Revokes a key; the very next request with it is refused. Answers the key as it now is.</summary>
    public Task<ApiKeyInfo> RevokeKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/keys/{Segment(keyId, nameof(keyId))}", null, McpJsonContext.Default.ApiKeyInfo, cancellationToken);
}
