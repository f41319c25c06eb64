using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.Cluster;

/// <summary>Bound from <c>Gateway:SiloLossCheck</c>; see <see cref="SiloLossGuard"/>.</summary>
public sealed class SiloLossGuardOptions
{
    public const string Section = "Gateway:SiloLossCheck";

    /// <summary>
    /// How often a long grain call (a prediction) checks that the silo running it is still a member; zero turns the
    /// check off. Cluster mode only: in the local mode the silo dies with the gateway.
    /// </summary>
    [Positive]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one check may take before it is skipped (the silo asked may be the one that died).</summary>
    [Positive]
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
