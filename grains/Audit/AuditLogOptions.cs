using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Audit;

public sealed class AuditLogOptions
{
    public const string Section = "DataSources:Audit";

    /// <summary>Entries written in one transaction at most; reads waiting on the log are answered together.</summary>
    [Positive]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>Reads are refused (503) when their audit entry cannot be written within this time.</summary>
    [Positive]
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Entries waiting to be written at most; beyond it reads are refused rather than left unaudited.</summary>
    [Positive]
    public int MaxPending { get; set; } = 50_000;
}
