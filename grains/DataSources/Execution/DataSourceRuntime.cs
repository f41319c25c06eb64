using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources.Execution;

/// <summary>
/// This silo's policies and connectors, per source, shared by every executor activation here (one connection pool per
/// source and silo, not per activation). A policy is used until the source's grain announces a change on the catalog
/// change stream (<see cref="DataPolicyChangeListener"/> marks it stale) and at most
/// <see cref="DataSourceGrainOptions.PolicyLease"/> after it was fetched or confirmed: that lease is the bound on how
/// long a grant change can take to reach an executor whose change notification was lost (memory streams drop events
/// in flight when a silo dies). Renewing costs one small call ("anything newer than version V?").
/// Thread-safe: it holds no grain state, and the grain is only reached through calls.
/// </summary>
public sealed class DataSourceRuntime(
    IGrainFactory grains,
    DataConnectorFactory connectors,
    ModelSecretProtector secrets,
    IOptions<DataSourceGrainOptions> options,
    TimeProvider time,
    ILogger<DataSourceRuntime> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Slot> _sources = new(StringComparer.Ordinal);
    private readonly TimeSpan _lease = options.Value.PolicyLease;

    /// <summary>The source's current runtime here, fetching (once, for every caller waiting) when stale or when asked to discover.</summary>
    public Task<SourceRuntime> GetAsync(string name, bool discover = false)
    {
        var slot = _sources.GetOrAdd(name, static _ => new Slot());
        var current = slot.Current;
        if (!discover && current is not null && !slot.IsStale && time.GetElapsedTime(current.FetchedAt) < _lease)
        {
            return Task.FromResult(current);
        }
        return slot.RefreshAsync(() => FetchAsync(name, slot, discover));
    }

    /// <summary>The runtime this silo holds for a source, without fetching (null when it holds none).</summary>
    public SourceRuntime? Peek(string name) => _sources.TryGetValue(name, out var slot) ? slot.Current : null;

    /// <summary>The source changed: the next read here fetches its policy again.</summary>
    public void Invalidate(string name)
    {
        if (_sources.TryGetValue(name, out var slot))
        {
            slot.MarkStale();
        }
    }

    private async Task<SourceRuntime> FetchAsync(string name, Slot slot, bool discover)
    {
        var current = slot.Current;
        var fetched = await grains.GetGrain<IDataSourceGrain>(name).GetPolicyAsync(current?.Policy.Version, discover);
        var now = time.GetTimestamp();
        if (fetched is null && current is not null)
        {
            return current.Confirmed(now);
        }
        var policy = fetched ?? throw new InvalidOperationException($"The grain of '{name}' answered 'unchanged' to a first request.");
        if (current is not null && current.SameConnection(policy))
        {
            return current.With(policy, now);
        }
        if (current?.Connector is { } old)
        {
            ConnectorRetirement.Retire(old, options.Value.QueryTimeout, time);
        }
        if (!policy.Exists)
        {
            return new SourceRuntime(policy, null, null, now);
        }
        try
        {
            var config = JsonNode.Parse(policy.StoredConfig) as JsonObject ?? new JsonObject();
            return new SourceRuntime(policy, connectors.Create(policy.Type, secrets.Reveal(config), options.Value.QueryTimeout), null, now);
        }
        catch (Exception e) when (e is ModelConfigException or DataSourceConfigException)
        {
            logger.LogError(e, "Data source {Source} cannot build its connector on this silo", name);
            return new SourceRuntime(policy, null, e.Message, now);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var slot in _sources.Values)
        {
            if (slot.Current?.Connector is { } connector)
            {
                await connector.DisposeAsync();
            }
        }
        _sources.Clear();
    }

    /// <summary>One source's runtime and the fetch in flight, if any.</summary>
    private sealed class Slot
    {
        private readonly Lock _lock = new();
        private Task<SourceRuntime>? _fetching;
        private long _fetchingSince;
        private long _changes;
        private long _currentSince = -1;
        private volatile SourceRuntime? _current;
        private volatile bool _stale;

        public SourceRuntime? Current => _current;

        public bool IsStale => _stale;

        public void MarkStale()
        {
            lock (_lock)
            {
                _changes++;
                _stale = true;
            }
        }

        /// <summary>
        /// Joins the fetch in flight when it began after the last change announced; otherwise starts one, since a fetch
        /// that began before a change may return the policy from before it.
        /// </summary>
        public Task<SourceRuntime> RefreshAsync(Func<Task<SourceRuntime>> fetch)
        {
            lock (_lock)
            {
                if (_fetching is null || _fetchingSince != _changes)
                {
                    _fetchingSince = _changes;
                    _fetching = RunAsync(fetch, _changes);
                }
                return _fetching;
            }
        }

        private async Task<SourceRuntime> RunAsync(Func<Task<SourceRuntime>> fetch, long changesBefore)
        {
            // Returns to RefreshAsync before fetching, so _fetching is set before the code below can clear it.
            await Task.Yield();
            try
            {
                var fresh = await fetch();
                lock (_lock)
                {
                    // An older fetch that ends last never replaces what a newer one brought.
                    if (changesBefore >= _currentSince)
                    {
                        _current = fresh;
                        _currentSince = changesBefore;
                        // A change announced while this fetch ran may not be in what it got: stay stale.
                        _stale = _changes != changesBefore;
                    }
                    return _current ?? fresh;
                }
            }
            finally
            {
                lock (_lock)
                {
                    if (_fetchingSince == changesBefore)
                    {
                        _fetching = null;
                    }
                }
            }
        }
    }
}
