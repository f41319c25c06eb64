using System.Security.Cryptography;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// The snapshots of one source's policy that the grain hands its executors, and the version that names them: this
/// activation's tag and a counter bumped whenever anything in the snapshot may have changed. A new activation has a new
/// tag, so executors never mistake its first policy for the one they hold. Owned by the source's grain.
/// </summary>
public sealed class DataSourcePolicyIssuer
{
    private readonly string _activationTag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private long _revision;

    public string Version => $"{_activationTag}:{_revision}";

    public void Changed() => _revision++;

    /// <summary>The policy as it stands. Copies: the snapshot is immutable (and not copied on a local call), the state's collections are not.</summary>
    public DataSourcePolicy Issue(string source, DataSourceState s, string? connectorError, string? schemaError, DateTimeOffset now) =>
        new(source, Version, true, s.Type, s.StoredConfig, s.DefaultAccess,
            new Dictionary<string, MaskKind>(s.Masks, StringComparer.Ordinal), s.DefaultQuotas,
            new Dictionary<string, DataGrantEntry>(s.Grants, StringComparer.Ordinal), s.Tables.ToArray(), s.SchemaRefreshedAt, s.Generation,
            s.HashSalt, s.CacheScope, s.CacheTtl, s.Disabled, connectorError, schemaError, now, s.Profiles.ToArray(), s.Examples.ToArray());

    /// <summary>The answer for a name no source is registered under.</summary>
    public DataSourcePolicy Missing(string source, DateTimeOffset now) => DataSourcePolicy.Missing(source, Version, now);
}
