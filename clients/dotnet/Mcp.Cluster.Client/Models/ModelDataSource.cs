namespace Mcp.Cluster.Client;

/// <summary>A data source a model declares it reads, and which fields (and Snowflake table) it may see.</summary>
public sealed record ModelDataSource(string Name, string? AccessType = null, IReadOnlyList<string>? RequiredFields = null, string? SnowflakeTable = null);
