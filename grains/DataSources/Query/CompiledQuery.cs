namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// Parameterized SQL for one dialect, with the columns it returns in order. <see cref="IsAggregate"/>: the rows are
/// groups, and every column is a group field or a computed value.
/// </summary>
public sealed record CompiledQuery(string Sql, IReadOnlyList<QueryParameter> Parameters, IReadOnlyList<ColumnSchema> Columns, int Limit, int Offset,
    bool IsAggregate = false);
