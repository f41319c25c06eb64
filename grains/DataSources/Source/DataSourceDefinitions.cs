using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Secrets;

namespace Mcp.Cluster.DataSources;

/// <summary>The definition part of a source's state: a new source's state, a patch applied to it, and what admins are shown of it.</summary>
public static class DataSourceDefinitions
{
    /// <param name="stored">The connection settings with secrets protected.</param>
    public static DataSourceState NewState(DataSourceDefinition definition, JsonObject stored, string createdBy, DateTimeOffset now) => new()
    {
        Type = definition.Type,
        Description = definition.Description,
        StoredConfig = stored.ToJsonString(),
        DefaultAccess = definition.DefaultAccess,
        Masks = new Dictionary<string, MaskKind>(definition.Masks, StringComparer.Ordinal),
        DefaultQuotas = definition.DefaultQuotas,
        CacheTtl = definition.CacheTtl,
        RefreshInterval = definition.RefreshInterval,
        CreatedAt = now,
        UpdatedAt = now,
        CreatedBy = createdBy,
        Generation = 1,
        HashSalt = RandomNumberGenerator.GetBytes(32),
        CacheScope = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
    };

    /// <summary>
    /// Applies a validated patch (all but the connection settings, which come with their new connector) and starts a
    /// new generation: any change can alter what a cached result should contain.
    /// </summary>
    public static void Apply(DataSourceState s, DataSourcePatch patch, DateTimeOffset now)
    {
        if (patch.Description is { } description) s.Description = description;
        if (patch.DefaultAccess is { } access) s.DefaultAccess = access;
        if (patch.Masks is { } masks) s.Masks = new Dictionary<string, MaskKind>(masks, StringComparer.Ordinal);
        if (patch.DefaultQuotas is { } quotas) s.DefaultQuotas = quotas;
        if (patch.CacheTtl is { } ttl) s.CacheTtl = ttl;
        if (patch.SetRefreshInterval) s.RefreshInterval = patch.RefreshInterval;
        if (patch.Disabled is { } disabled) s.Disabled = disabled;
        s.UpdatedAt = now;
        s.Generation++;
    }

    /// <summary>The source as admins see it: secrets in its settings masked.</summary>
    public static DataSourceInfo Info(string name, DataSourceState s, DataSourceStatus status) =>
        new(name, s.Type, s.Description, ModelSecretProtector.Masked(DataSourceConnection.Stored(s)).ToJsonString(), status,
            s.DefaultAccess, s.Masks, s.DefaultQuotas, s.CacheTtl, s.RefreshInterval, s.Tables.Count, s.CreatedAt, s.UpdatedAt, s.CreatedBy);
}
