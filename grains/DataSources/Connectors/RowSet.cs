namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// Rows as a connector read them. Values are null, string, long, double, decimal, bool, DateOnly, DateTime,
/// DateTimeOffset, byte[] or <see cref="RawJson"/>; <see cref="Truncated"/> says more rows were there than returned.
/// </summary>
public sealed record RowSet(IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows, bool Truncated = false);

/// <summary>A value that already is JSON text (json/jsonb/variant columns) and is written out as it is.</summary>
public sealed record RawJson(string Json);
