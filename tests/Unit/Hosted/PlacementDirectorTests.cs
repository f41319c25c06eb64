using System.Net;
using Mcp.Cluster.Models.Hosted.Placement;
using Orleans.Runtime.Placement;

namespace Mcp.Cluster.Tests.Unit.Hosted;

/// <summary>The director obeys the silo named in the activating call's request context, and only a live one.</summary>
[Trait("Tier", "Unit")]
public sealed class PlacementDirectorTests
{
    private static readonly SiloAddress A = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress B = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 2);
    private static readonly GrainId Session = GrainId.Create("hosted-model", "session-1");

    private sealed class Members(params SiloAddress[] silos) : IPlacementContext
    {
        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => silos;

        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) => throw new NotSupportedException();

        public SiloAddress LocalSilo => silos[0];

        public SiloStatus LocalSiloStatus => SiloStatus.Active;
    }

    private static PlacementTarget Target(Dictionary<string, object>? context) => new(Session, context!, default, 0);

    private static Task<SiloAddress> PlaceAsync(Dictionary<string, object>? context, params SiloAddress[] members) =>
        new HostedModelPlacementDirector().OnAddActivation(HostedModelPlacement.Singleton, Target(context), new Members(members));

    [Fact]
    public async Task The_named_silo_is_chosen_when_it_is_a_member()
    {
        var context = new Dictionary<string, object> { [HostedModelPlacement.TargetSiloKey] = B.ToParsableString() };
        Assert.Equal(B, await PlaceAsync(context, A, B));
    }

    [Fact]
    public async Task A_named_silo_that_left_is_a_placement_error()
    {
        var context = new Dictionary<string, object> { [HostedModelPlacement.TargetSiloKey] = B.ToParsableString() };
        var error = await Assert.ThrowsAsync<HostedPlacementException>(() => PlaceAsync(context, A));
        Assert.Contains("is not in the cluster any more; try again", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_named_silo_is_a_placement_error(bool hasContext)
    {
        var context = hasContext ? new Dictionary<string, object> { ["other"] = "x", [HostedModelPlacement.TargetSiloKey] = "not an address" } : null;
        var error = await Assert.ThrowsAsync<HostedPlacementException>(() => PlaceAsync(context, A, B));
        Assert.Contains("No silo was chosen", error.Message);
    }

    [Fact]
    public void The_target_scope_sets_the_request_context_and_puts_back_what_was_there()
    {
        Assert.Null(RequestContext.Get(HostedModelPlacement.TargetSiloKey));
        using (HostedModelPlacement.Target(A))
        {
            using (HostedModelPlacement.Target(B))
            {
                Assert.Equal(B.ToParsableString(), RequestContext.Get(HostedModelPlacement.TargetSiloKey));
            }
            Assert.Equal(A.ToParsableString(), RequestContext.Get(HostedModelPlacement.TargetSiloKey));
        }
        Assert.Null(RequestContext.Get(HostedModelPlacement.TargetSiloKey));
    }
}
