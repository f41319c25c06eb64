using Mcp.Cluster.DataSources.Connectors;

namespace Mcp.Cluster.DataSources.InMemory;

/// <summary>A structured query checked against a table and ready to run over rows held in memory.</summary>
public sealed record InMemoryRead(
    string Fingerprint,
    IReadOnlyList<ColumnSchema> Columns,
    int Limit,
    TableSchema Table,
    IReadOnlyList<InMemoryFilter> Filters,
    IReadOnlyList<DataOrder> OrderBy,
    int Offset) : PreparedRead(Fingerprint, Columns, Limit);

/// <summary>One filter with its value already typed for the column (an array for in/not_in, a bool for is_null).</summary>
public sealed record InMemoryFilter(int Column, DataType Type, FilterOperator Operator, object Value);
