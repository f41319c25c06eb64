namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>A read produced more than its <see cref="ResultCaps"/> allow; it was stopped, not cut short. The message is safe to show.</summary>
public sealed class ResultTooLargeException(string message, Exception? inner = null) : Exception(message, inner);
