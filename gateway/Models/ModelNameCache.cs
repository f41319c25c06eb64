using System.Collections.Concurrent;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// This gateway's memory of what <c>name@version|alias</c> resolved to, so a request naming a model does not ask the
/// one catalog grain every time. Kept right by the catalog-change stream (<see cref="Invalidate"/>: the catalog
/// publishes a model change for the name on every register, delete and alias move) and by this gateway's own writes
/// (<see cref="Forget(ModelName)"/>), with a TTL as the safety net for a lost event. Only hits are kept: an unknown
/// name is asked again, so a model registered through another gateway is found at once.
/// </summary>
public sealed class ModelNameCache(IOptions<ModelGatewayOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Name, string Selector), Entry> _entries = new();
    private readonly int _capacity = options.Value.NameCacheSize;
    private readonly TimeSpan _ttl = options.Value.NameCacheTtl;

    // Bumped by every invalidation; a resolution that started before one is not stored (it may be older than it).
    private long _generation;
    private volatile bool _listening;

    public int Count => _entries.Count;

    /// <summary>Whether the change stream reaches this cache (only then does it keep anything).</summary>
    public bool IsListening => _listening;

    /// <summary>
    /// The change stream reaches this gateway from now on; until then nothing is kept, since a change could not drop it.
    /// </summary>
    public void StartListening()
    {
        Clear();
        _listening = true;
    }

    /// <summary>The generation to hand back to <see cref="Store"/> for a resolution starting now.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(ModelName name, ModelSelector selector, out string modelId)
    {
        if (_entries.TryGetValue((name.Value, selector.Value), out var entry))
        {
            if (entry.ExpiresAt > time.GetUtcNow())
            {
                modelId = entry.ModelId;
                return true;
            }
            _entries.TryRemove(new KeyValuePair<(string, string), Entry>((name.Value, selector.Value), entry));
        }
        modelId = "";
        return false;
    }

    /// <summary>Keeps a resolution that started at <paramref name="generation"/>, unless the catalog changed since.</summary>
    public void Store(ModelName name, ModelSelector selector, string modelId, long generation)
    {
        if (!_listening || generation != Generation)
        {
            return;
        }
        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }
        var key = (name.Value, selector.Value);
        var entry = new Entry(modelId, time.GetUtcNow() + _ttl);
        _entries[key] = entry;
        // An invalidation may have run between the check above and the write: it bumps the generation before it
        // removes, so seeing the same generation now means it will still remove this entry, or has not started.
        if (generation != Generation)
        {
            _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry));
        }
    }

    /// <summary>A change from the catalog-change stream: a model change drops what its name resolved to.</summary>
    public void Invalidate(CatalogChange change)
    {
        if (change.Kind != CatalogChangeKind.Models)
        {
            return;
        }
        if (change.Name is { } name)
        {
            Forget(name);
        }
        else
        {
            Clear();
        }
    }

    public void Forget(ModelName name) => Forget(name.Value);

    /// <summary>Drops every resolution to <paramref name="modelId"/> (a deleted model, whatever name reached it).</summary>
    public void ForgetModel(string modelId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var pair in _entries)
        {
            if (pair.Value.ModelId == modelId)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    private void Forget(string name)
    {
        Interlocked.Increment(ref _generation);
        foreach (var pair in _entries)
        {
            if (pair.Key.Name == name)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    private void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record Entry(string ModelId, DateTimeOffset ExpiresAt);
}
