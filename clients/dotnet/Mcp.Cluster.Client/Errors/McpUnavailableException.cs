namespace Mcp.Cluster.Client;

/// <summary>503 (`data_source_unavailable`, `model_unavailable`, `service_unavailable`, …), after the retries `Retry-After` allowed.</summary>
public sealed class McpUnavailableException(McpErrorInfo info) : McpApiException(info);
