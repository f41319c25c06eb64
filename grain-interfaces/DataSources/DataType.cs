namespace Mcp.Cluster.DataSources;

/// <summary>
/// The column types the query API knows; each connector maps its native types onto these. The wire names (snake case
/// of the member) are the user guide's vocabulary: <c>datetime</c>, <c>object</c>, <c>array</c>. Stored schemas keep the
/// numeric values, so members are only ever appended.
/// </summary>
public enum DataType
{
    Text,
    Integer,
    Decimal,
    Boolean,
    Date,
    /// <summary>A point in time (ISO 8601 in answers); "timestamp" before the guide's word was adopted.</summary>
    Datetime,
    /// <summary>Structured values of no known shape (JSON, variants): returned as JSON, filterable only by null-ness.</summary>
    Json,
    /// <summary>Bytes: returned base64-encoded, filterable only by null-ness.</summary>
    Binary,
    /// <summary>A JSON object: returned as one, filterable only by null-ness.</summary>
    Object,
    /// <summary>A JSON array (or a native array): returned as one, filterable only by null-ness.</summary>
    Array,
}
