namespace Mcp.Cluster.Client;

/// <summary>403 (the key lacks a permission, or a field is hidden or masked: `forbidden`).</summary>
public sealed class McpForbiddenException(McpErrorInfo info) : McpApiException(info);
