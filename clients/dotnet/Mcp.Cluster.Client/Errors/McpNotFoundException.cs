namespace Mcp.Cluster.Client;

/// <summary>404 (`not_found`, `key_not_found`; also what the gateway answers for things the key may not see).</summary>
public sealed class McpNotFoundException(McpErrorInfo info) : McpApiException(info);
