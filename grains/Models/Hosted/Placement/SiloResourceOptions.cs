using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// What this silo offers hosted models, as its operator declares it (<c>Silo:Resources</c>, or
/// <c>MCP_Silo__Resources__Gpu=1</c> in the environment). Nothing is detected: a GPU the operator did not declare is
/// not used, so a silo is never handed a model it was not meant to run.
/// </summary>
public sealed class SiloResourceOptions
{
    public const string Section = "Silo:Resources";

    /// <summary>GPUs this silo offers hosted models; a model with <c>requires_gpu: true</c> runs only where this is at least 1.</summary>
    [NonNegative]
    public int Gpu { get; set; }

    /// <summary>
    /// The memory budget for hosted models' sessions: a size ("8GB", "512MiB") or a number of bytes. Unset: half of the
    /// memory available to this process, which leaves the other half to the silo itself.
    /// </summary>
    public string? ModelMemory { get; set; }

    /// <summary>How often the silo repeats its declaration, so a ledger reactivated elsewhere learns it again.</summary>
    [Positive]
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The budget in bytes; <see cref="SiloResourceOptionsValidator"/> has checked <see cref="ModelMemory"/> at start.</summary>
    public long ModelMemoryBytes() => ModelMemory is { } text
        ? ModelHosting.ParseBytes(text) ?? throw new InvalidOperationException($"{Section}:ModelMemory '{text}' is not a size.")
        : Math.Max(1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);
}
