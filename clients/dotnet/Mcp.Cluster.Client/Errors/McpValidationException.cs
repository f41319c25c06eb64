namespace Mcp.Cluster.Client;

/// <summary>400 or 422 (`validation_error`, `invalid_request`, `sql_error`, `question_not_understood`, …); `Field` names the culprit.</summary>
public sealed class McpValidationException(McpErrorInfo info) : McpApiException(info);
