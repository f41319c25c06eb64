using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>Models the cluster runs itself (<c>provider: "onnx"</c>): where their files live and how sessions run.</summary>
public sealed class HostedModelOptions
{
    public const string Section = "Models:Hosting";

    /// <summary>
    /// The only directory <c>config.model_path</c> and <c>config.model_name</c> may name files in (default
    /// <c>{Cluster:DataDirectory}/models</c>). Every silo must see the same files under it.
    /// </summary>
    public string? ModelDirectory { get; set; }

    /// <summary>
    /// Where uploaded model files are kept (default <c>{Cluster:DataDirectory}/artifacts</c>). In cluster mode every silo
    /// must read it: a shared volume (NFS, a ReadWriteMany volume), mounted at this path on each node.
    /// </summary>
    public string? ArtifactDirectory { get; set; }

    /// <summary>The largest model file (or zip of model and vocabulary) an upload may send.</summary>
    [Positive]
    public long MaxArtifactBytes { get; set; } = 1L << 30;

    /// <summary>Uploads one node takes at once (each streams to disk); more get 429.</summary>
    [Positive]
    public int MaxConcurrentUploads { get; set; } = 2;

    /// <summary>
    /// How long an input may wait for others before its session runs it (<c>config.batch_wait_ms</c> overrides). Zero:
    /// an idle session runs an input at once and a busy one runs everything that gathered meanwhile when it is free
    /// (ONNX Runtime's run is the wait); a wait trades latency at low load for fuller runs.
    /// </summary>
    [NonNegative]
    public TimeSpan BatchWait { get; set; } = TimeSpan.Zero;

    /// <summary>A session no call used for this long is unloaded and its memory given back to the silo's budget.</summary>
    [Positive]
    public TimeSpan IdleUnload { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Runs of one session at once; 0: one per core.</summary>
    [NonNegative]
    public int MaxConcurrentRuns { get; set; } = 1;

    /// <summary>Threads one run uses (ONNX Runtime's intra-op pool); 0: ONNX Runtime's default (the cores).</summary>
    [NonNegative]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's threads spin between runs instead of sleeping: a little less latency where cores are
    /// otherwise idle, CPU taken from the gateway and other models where they are not (off by default).
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Inputs waiting for a session beyond which calls are refused with 503 instead of queued.</summary>
    [Positive]
    public int MaxQueuedItems { get; set; } = 10_000;

    /// <summary>The most numbers one input of a hosted model may carry (all its tensors together); larger inputs are a 400.</summary>
    [Positive]
    public int MaxInputElements { get; set; } = 1_000_000;

    /// <summary>The most tokens a text model's input is cut to when its config gives no <c>max_length</c>.</summary>
    [Positive]
    public int DefaultMaxLength { get; set; } = 256;

    /// <summary>How often a model grain asks the placement ledger again whether its session's silo is still the right one.</summary>
    [Positive]
    public TimeSpan PlacementRecheck { get; set; } = TimeSpan.FromSeconds(5);
}
