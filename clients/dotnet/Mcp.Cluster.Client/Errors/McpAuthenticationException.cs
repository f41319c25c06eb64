namespace Mcp.Cluster.Client;

/// <summary>401 (missing, unknown, expired or revoked key: `invalid_api_key`).</summary>
public sealed class McpAuthenticationException(McpErrorInfo info) : McpApiException(info);
