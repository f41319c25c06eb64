namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// A bound value: <see cref="Value"/> is already the CLR type for <see cref="Type"/> (string, long, decimal, bool, DateOnly,
/// DateTimeOffset; a double for a non-integer compared with a JSON member; a string[] for a PostgreSQL member path).
/// </summary>
public sealed record QueryParameter(string Name, object Value, DataType Type);
