namespace Mcp.Cluster.DataSources;

/// <summary>What keys without a grant of their own may do on a source.</summary>
[GenerateSerializer, Alias("mcp.DataAccessDefault")]
public enum DataAccessDefault
{
    /// <summary>Nothing: every non-admin key needs a grant.</summary>
    None,
    /// <summary>Structured queries on every table, with the source-wide masks and quotas.</summary>
    Read,
}
