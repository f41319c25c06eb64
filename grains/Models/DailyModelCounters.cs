namespace Mcp.Cluster.Models;

[GenerateSerializer, Alias("mcp.DailyModelCounters")]
public sealed class DailyModelCounters
{
    [Id(0)] public long Requests { get; set; }
    [Id(1)] public long Errors { get; set; }
    [Id(2)] public double LatencyMsTotal { get; set; }
    [Id(3)] public long PromptTokens { get; set; }
    [Id(4)] public long CompletionTokens { get; set; }
}
