using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Governance;

namespace Mcp.Cluster.DataSources.Execution;

/// <summary>
/// One silo's view of one source: the policy its grain handed out, and the connector and masker built from it. Immutable;
/// a newer policy makes a new instance (sharing the connector when the connection settings did not change).
/// </summary>
public sealed class SourceRuntime(DataSourcePolicy policy, DataConnector? connector, string? buildError, long fetchedAt)
{
    public DataSourcePolicy Policy { get; } = policy;

    public DataConnector? Connector { get; } = connector;

    /// <summary>Why this silo could not build the connector (or the grain could not), if so.</summary>
    public string? ConnectorError { get; } = buildError ?? policy.ConnectorError;

    public FieldMasker Masker { get; } = new(policy.HashSalt);

    /// <summary>When the policy was fetched or confirmed, in <see cref="TimeProvider.GetTimestamp"/> ticks.</summary>
    public long FetchedAt { get; } = fetchedAt;

    /// <summary>The caller's plan, by the one place the rules live (<see cref="DataAccessPolicy"/>), from the grain's inputs.</summary>
    public (SourceAccess? Access, string? Denial) Resolve(DataCaller caller) =>
        DataAccessPolicy.Resolve(Policy.Name, Policy.DefaultAccess, Policy.Masks, Policy.DefaultQuotas, Policy.Grants, caller);

    public SourceRuntime Confirmed(long at) => new(Policy, Connector, buildError, at);

    /// <summary>The same connection with a newer policy.</summary>
    public SourceRuntime With(DataSourcePolicy newer, long at) => new(newer, Connector, buildError, at);

    /// <summary>Whether a newer policy can keep this connector: same type and connection settings.</summary>
    public bool SameConnection(DataSourcePolicy newer) => Policy.Exists && newer.Exists
        && Policy.Type == newer.Type && Policy.StoredConfig == newer.StoredConfig;
}
