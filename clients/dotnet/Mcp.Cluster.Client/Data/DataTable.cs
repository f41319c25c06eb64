namespace Mcp.Cluster.Client;

/// <summary>A readable table and its fields.</summary>
public sealed record DataTable(string Name, IReadOnlyList<DataField> Columns);
