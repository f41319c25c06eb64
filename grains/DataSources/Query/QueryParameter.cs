namespace Mcp.Cluster.DataSources.Query;

/// <summary>A bound value: <see cref="Value"/> is already the CLR type for <see cref="Type"/> (string, long, decimal, bool, DateOnly, DateTimeOffset).</summary>
public sealed record QueryParameter(string Name, object Value, DataType Type);
