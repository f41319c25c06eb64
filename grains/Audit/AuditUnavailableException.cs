namespace Mcp.Cluster.Audit;

public sealed class AuditUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
