namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// The source refused a statement for a reason that lies in the statement (bad SQL, a value the column cannot take),
/// as opposed to the source being down. Its message is safe to show to the caller.
/// </summary>
public sealed class DataSourceQueryException(string message, Exception? inner = null) : Exception(message, inner);
