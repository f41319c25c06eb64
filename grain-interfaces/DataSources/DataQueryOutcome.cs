namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Alias("mcp.DataQueryOutcome")]
public enum DataQueryOutcome
{
    Ok,
    NotFound,
    Invalid,
    Forbidden,
    QuotaExceeded,
    /// <summary>The source is disabled, unhealthy or unreachable, or the audit log cannot be written.</summary>
    Unavailable,
    Timeout,
    /// <summary>The source answered with an error (e.g. a raw SQL statement it rejected).</summary>
    SourceError,
    /// <summary>The result (or one value of it) is larger than the source's configured caps.</summary>
    TooLarge,
}
