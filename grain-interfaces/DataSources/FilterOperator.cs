namespace Mcp.Cluster.DataSources;

public enum FilterOperator
{
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    In,
    NotIn,
    /// <summary>Case-insensitive substring match on text.</summary>
    Contains,
    /// <summary>Case-insensitive prefix match on text.</summary>
    StartsWith,
    /// <summary>Value <c>true</c>: the field is null; <c>false</c>: it is not.</summary>
    IsNull,
}
