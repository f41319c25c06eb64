namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// One loaded ONNX session of a hosted model, activated on the silo its placement chose (key: the session key). It
/// gathers concurrent runs into batches. It only works: the model grain decides whether a call may run, and the
/// executor turns JSON into tensors and back.
/// </summary>
[Alias("mcp.hosted-model")]
public interface IHostedModelGrain : IGrainWithStringKey
{
    /// <summary>Runs the items (loading the session first if needed); one output item per input item, in order.</summary>
    [Alias("run"), ResponseTimeout("00:06:00")]
    Task<TensorItem[]> RunAsync(HostedSessionSpec spec, TensorItem[] items, CancellationToken cancellationToken = default);

    /// <summary>Unloads the session now (the model was deleted or replaced).</summary>
    [Alias("unload")]
    Task UnloadAsync();
}
