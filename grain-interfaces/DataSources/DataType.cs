namespace Mcp.Cluster.DataSources;

/// <summary>The column types the query API knows; each connector maps its native types onto these.</summary>
public enum DataType
{
    Text,
    Integer,
    Decimal,
    Boolean,
    Date,
    Timestamp,
    /// <summary>Structured values (JSON, arrays, variants): returned as JSON, filterable only by null-ness.</summary>
    Json,
    /// <summary>Bytes: returned base64-encoded, filterable only by null-ness.</summary>
    Binary,
}
