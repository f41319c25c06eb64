namespace Mcp.Cluster.Client;

/// <summary>The tables and fields of a source that the key may read.</summary>
public sealed record DataSourceSchema(string Name, DateTimeOffset? RefreshedAt, long Generation, IReadOnlyList<DataTable> Tables);
