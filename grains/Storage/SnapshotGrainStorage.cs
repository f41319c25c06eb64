using Orleans.Serialization;
using Orleans.Storage;

namespace Mcp.Cluster.Storage;

/// <summary>
/// Hands the inner storage a deep copy of the state taken on the grain's own thread. Orleans' ADO.NET storage
/// serializes only after awaiting its connection (<c>ConfigureAwait(false)</c>, another thread), while interleaved
/// calls such as predictions keep changing the live state: without the copy it could serialize a dictionary in the
/// middle of a change, or store counters from later than the write it was asked for.
/// </summary>
public sealed class SnapshotGrainStorage(IGrainStorage inner, DeepCopier copier) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var snapshot = new GrainState<T>(copier.Copy(grainState.State), grainState.ETag) { RecordExists = grainState.RecordExists };
        await inner.WriteStateAsync(stateName, grainId, snapshot);
        // Back on the grain's scheduler: the await above captured it.
        grainState.ETag = snapshot.ETag;
        grainState.RecordExists = snapshot.RecordExists;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var snapshot = new GrainState<T>(grainState.State, grainState.ETag) { RecordExists = grainState.RecordExists };
        await inner.ClearStateAsync(stateName, grainId, snapshot);
        grainState.State = snapshot.State;
        grainState.ETag = snapshot.ETag;
        grainState.RecordExists = snapshot.RecordExists;
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (inner is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(lifecycle);
        }
    }
}
