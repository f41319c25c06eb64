namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// What a <see cref="DynamicBatcher{TItem, TResult}"/> has done (<see cref="Runs"/>, <see cref="Items"/>,
/// <see cref="LargestBatch"/> since it was made) and holds now (<see cref="Waiting"/> items, <see cref="Running"/> runs).
/// </summary>
public sealed record DynamicBatcherCounters(long Runs, long Items, int LargestBatch, int Waiting, int Running);
