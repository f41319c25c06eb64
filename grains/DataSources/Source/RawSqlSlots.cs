namespace Mcp.Cluster.DataSources;

/// <summary>
/// The raw SQL statements one source runs at once, in total and per key, across the cluster (the source is one grain):
/// each statement may hold a connection and a core until its timeout, so past the limits more are refused, not queued.
/// Owned by the source's grain and only touched on its scheduler; forgotten with the activation (a slot whose release
/// was lost is free again when the grain reactivates).
/// </summary>
public sealed class RawSqlSlots(string source, DataSourceGrainOptions options)
{
    private readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);

    public int Running { get; private set; }

    /// <summary>Why another statement of <paramref name="keyId"/> may not start now (the source's or the key's limit is reached), or null.</summary>
    public string? Problem(string keyId)
    {
        if (Running >= options.MaxConcurrentSql)
        {
            return $"Data source '{source}' is already running {Running} raw SQL statements, its limit; retry shortly.";
        }
        return _byKey.GetValueOrDefault(keyId) >= options.MaxConcurrentSqlPerKey
            ? $"This key is already running {options.MaxConcurrentSqlPerKey} raw SQL statements on '{source}', its limit; retry when one ends."
            : null;
    }

    public void Take(string keyId)
    {
        Running++;
        _byKey[keyId] = _byKey.GetValueOrDefault(keyId) + 1;
    }

    public void Release(string keyId)
    {
        Running = Math.Max(0, Running - 1);
        if (_byKey.TryGetValue(keyId, out var running) && running > 1)
        {
            _byKey[keyId] = running - 1;
        }
        else
        {
            _byKey.Remove(keyId);
        }
    }
}
