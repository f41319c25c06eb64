using Mcp.Cluster.Models.Hosted.Placement;

namespace Mcp.Cluster.Tests.Grains;

/// <summary>A grain placed like a hosted model's session, answering where it was activated.</summary>
[Alias("mcp.tests.placement-probe")]
public interface IPlacementProbeGrain : IGrainWithStringKey
{
    [Alias("silo")]
    Task<string> GetSiloAsync();
}

[HostedModelPlacement, GrainType("test-placement-probe")]
public sealed class PlacementProbeGrain(ILocalSiloDetails silo) : Grain, IPlacementProbeGrain
{
    public Task<string> GetSiloAsync() => Task.FromResult(silo.SiloAddress.ToParsableString());
}
