using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// Writes one source's state: at once after an admin change, and behind (on the grain's flush timer and at
/// deactivation) for what changes on every read — the ledger's counters and a discovered schema. Only called from the
/// grain's non-interleaved turns, the only ones that may replace what the storage provider serializes.
/// </summary>
public sealed class DataSourceStateWriter(string name, IPersistentState<DataSourceState> source, DataQuotaLedger ledger, ILogger logger)
{
    private bool _dirty;

    /// <summary>The state changed outside the ledger (a discovery): write it with the next flush.</summary>
    public void MarkDirty() => _dirty = true;

    public bool IsDirty => _dirty || ledger.IsDirty;

    /// <summary>Nothing left to write (the source was deleted).</summary>
    public void Forget() => _dirty = false;

    /// <summary>Copies the live counters into the state and writes it.</summary>
    public async Task PersistAsync()
    {
        _dirty = false;
        ledger.CopyInto(source.State);
        await source.WriteStateAsync();
    }

    /// <summary>Writes what changed since the last write, if anything; a failed write is retried at the next flush.</summary>
    public async Task FlushIfDirtyAsync()
    {
        if (!IsDirty || !source.RecordExists)
        {
            return;
        }
        try
        {
            await PersistAsync();
        }
        catch (Exception e)
        {
            _dirty = true;
            logger.LogWarning(e, "Writing counters of data source {Source} failed; will retry", name);
        }
    }
}
