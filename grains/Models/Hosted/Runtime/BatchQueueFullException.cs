namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>A <see cref="DynamicBatcher{TItem, TResult}"/> already holds as many waiting items as it may: the caller should back off (503).</summary>
public sealed class BatchQueueFullException(int waiting, int maxQueued)
    : Exception($"The model has {waiting} inputs waiting to run, the most it queues is {maxQueued}; retry shortly.")
{
    public int MaxQueued { get; } = maxQueued;
}
