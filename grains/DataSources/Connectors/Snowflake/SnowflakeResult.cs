using System.Text.Json;

namespace Mcp.Cluster.DataSources.Connectors.Snowflake;

/// <summary>One column of a result as Snowflake's <c>resultSetMetaData.rowType</c> describes it.</summary>
public sealed record SnowflakeColumn(string Name, string Type, int? Scale, bool Nullable);

/// <summary>A statement's whole result: every partition's rows, values still in the API's string form.</summary>
public sealed record SnowflakeResult(IReadOnlyList<SnowflakeColumn> Columns, IReadOnlyList<JsonElement[]> Rows, bool Truncated);
