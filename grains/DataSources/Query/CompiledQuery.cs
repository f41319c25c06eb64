namespace Mcp.Cluster.DataSources.Query;

/// <summary>Parameterized SQL for one dialect, with the columns it returns in order.</summary>
public sealed record CompiledQuery(string Sql, IReadOnlyList<QueryParameter> Parameters, IReadOnlyList<ColumnSchema> Columns, int Limit, int Offset);
