namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>What one silo declared it offers hosted models.</summary>
[GenerateSerializer, Alias("mcp.DeclaredSilo")]
public sealed class DeclaredSilo
{
    [Id(0)] public int Gpus { get; set; }
    [Id(1)] public long ModelMemoryBytes { get; set; }
}
