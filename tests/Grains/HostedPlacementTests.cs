using Mcp.Cluster.Hosting;
using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Placement;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace Mcp.Cluster.Tests.Grains;

/// <summary>
/// Three silos that declare different resources: silo 0 no GPU and 1 GB of model memory, silo 1 a GPU and 4 GB,
/// silo 2 no GPU and 8 GB. Each silo reads its own <c>Silo:Resources</c> and announces it like a production silo.
/// </summary>
public sealed class HostedPlacementCluster : IAsyncLifetime
{
    public const long GB = 1_000_000_000;

    private static readonly Dictionary<string, (string Gpu, string ModelMemory)> Resources = new()
    {
        ["Silo_0"] = ("0", "1GB"),
        ["Silo_1"] = ("1", "4GB"),
        ["Silo_2"] = ("0", "8GB"),
    };

    private readonly TempDirectory _data = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IModelPlacementGrain Ledger => Cluster.Client.GetGrain<IModelPlacementGrain>(0);

    public SiloAddress Small => Silo("Silo_0");

    public SiloAddress Gpu => Silo("Silo_1");

    public SiloAddress Large => Silo("Silo_2");

    public SiloAddress Silo(string name) => Cluster.Silos.Single(s => s.Name == name).SiloAddress;

    public IPlacementProbeGrain Probe(string sessionKey) => Cluster.Client.GetGrain<IPlacementProbeGrain>(sessionKey);

    public async Task InitializeAsync()
    {
        var cluster = new McpClusterOptions { DataDirectory = _data.Path };
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            var (gpu, memory) = Resources[options.SiloName];
            silo.AddMcpSilo(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Cluster:DataDirectory"] = _data.Path,
                ["Dashboard:Enabled"] = "false",
                ["Models:SeedBuiltInModels"] = "false",
                ["Silo:Resources:Gpu"] = gpu,
                ["Silo:Resources:ModelMemory"] = memory,
            }).Build(), cluster);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(Mcp.Cluster.Changes.ChangeStreams.Provider));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await ModelTestHelpers.EventuallyAsync(async () => (await Ledger.GetSnapshotAsync()).Silos.Length == 3,
            Deadlines.Scaled(TimeSpan.FromSeconds(30)), "every silo declared its resources to the ledger");
    }

    /// <summary>Places the session with the ledger, then activates it within the decision, as a hosted model's caller does.</summary>
    public async Task<(PlacementDecision Decision, string? ActivatedOn)> PlaceAndActivateAsync(string sessionKey, bool gpu, long bytes)
    {
        var decision = await Ledger.PlaceAsync(sessionKey, new HostingRequirement(gpu, bytes));
        if (decision.Silo is null)
        {
            return (decision, null);
        }
        using var _ = HostedModelPlacement.Target(decision.Silo);
        return (decision, await Probe(sessionKey).GetSiloAsync());
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _data.Dispose();
    }
}

[Trait("Tier", "Grain")]
public sealed class HostedPlacementTests(HostedPlacementCluster fixture) : IClassFixture<HostedPlacementCluster>
{
    private const long GB = HostedPlacementCluster.GB;

    private static string Key(string name) => $"{name}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Every_silo_declares_what_its_own_settings_say()
    {
        var snapshot = await fixture.Ledger.GetSnapshotAsync();
        var offers = snapshot.Silos.ToDictionary(s => s.Silo, s => (s.Gpus, s.ModelMemoryBytes));
        Assert.Equal((0, 1 * GB), offers[fixture.Small]);
        Assert.Equal((1, 4 * GB), offers[fixture.Gpu]);
        Assert.Equal((0, 8 * GB), offers[fixture.Large]);
    }

    [Fact]
    public async Task A_session_that_needs_a_gpu_is_activated_on_the_gpu_silo()
    {
        var session = Key("gpu");
        var (decision, activatedOn) = await fixture.PlaceAndActivateAsync(session, gpu: true, 1 * GB);
        Assert.Equal(fixture.Gpu, decision.Silo);
        Assert.Equal(fixture.Gpu.ToParsableString(), activatedOn);

        Assert.Equal(fixture.Gpu, (await fixture.Ledger.ConfirmAsync(session, fixture.Gpu, new HostingRequirement(true, 1 * GB))).Silo);
        await fixture.Ledger.ReleaseAsync(session, fixture.Gpu);
    }

    [Fact]
    public async Task A_large_session_is_activated_where_the_memory_is_and_release_frees_it()
    {
        var big = Key("big");
        var (decision, activatedOn) = await fixture.PlaceAndActivateAsync(big, gpu: false, 6 * GB);
        Assert.Equal(fixture.Large, decision.Silo);
        Assert.Equal(fixture.Large.ToParsableString(), activatedOn);

        var another = Key("big-too");
        var refused = await fixture.Ledger.PlaceAsync(another, new HostingRequirement(false, 6 * GB));
        Assert.Null(refused.Silo);
        Assert.StartsWith("needs 6.0 GB of model memory; the largest free budget is ", refused.Unschedulable);

        await fixture.Ledger.ReleaseAsync(big, fixture.Large);
        Assert.Equal(0, (await fixture.Ledger.GetSnapshotAsync()).Silos.Single(s => s.Silo.Equals(fixture.Large)).ReservedBytes);
        Assert.Equal(fixture.Large, (await fixture.Ledger.PlaceAsync(another, new HostingRequirement(false, 6 * GB))).Silo);
        await fixture.Ledger.ReleaseAsync(another, fixture.Large);
    }

    [Fact]
    public async Task A_new_ledger_activation_keeps_what_silos_declared_and_what_sessions_hold()
    {
        var session = Key("kept");
        var placed = (await fixture.Ledger.PlaceAsync(session, new HostingRequirement(false, 2 * GB))).Silo;
        Assert.NotNull(placed);

        // The next call finds a fresh activation, which reads the ledger from storage.
        await fixture.Ledger.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        var snapshot = await fixture.Ledger.GetSnapshotAsync();
        Assert.Equal(3, snapshot.Silos.Length);
        var holder = snapshot.Silos.Single(s => s.Silo.Equals(placed));
        Assert.Contains(session, holder.Sessions);
        Assert.Equal(placed, (await fixture.Ledger.PlaceAsync(session, new HostingRequirement(false, 2 * GB))).Silo);
        await fixture.Ledger.ReleaseAsync(session, placed);
    }

    [Fact]
    public async Task A_session_that_fits_nowhere_is_unschedulable_with_the_reason()
    {
        var (decision, activatedOn) = await fixture.PlaceAndActivateAsync(Key("huge"), gpu: false, 9 * GB);
        Assert.Null(decision.Silo);
        Assert.Null(activatedOn);
        Assert.Equal($"needs 9.0 GB of model memory; the largest free budget is 8.0 GB on silo {fixture.Large.ToParsableString()} (of 8.0 GB); "
            + "more than any silo's budget: raise Silo:Resources:ModelMemory on a silo or lower memory_requirement", decision.Unschedulable);
    }

    [Fact]
    public async Task An_activation_without_a_chosen_silo_or_with_one_that_left_fails_with_a_placement_error()
    {
        var none = await Assert.ThrowsAsync<HostedPlacementException>(() => fixture.Probe(Key("untargeted")).GetSiloAsync());
        Assert.Contains("No silo was chosen", none.Message);

        var gone = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), 1);
        using var _ = HostedModelPlacement.Target(gone);
        var left = await Assert.ThrowsAsync<HostedPlacementException>(() => fixture.Probe(Key("gone")).GetSiloAsync());
        Assert.Contains("is not in the cluster any more; try again", left.Message);
    }
}

/// <summary>The GPU silo stops: its sessions have nowhere to go and the ledger says why.</summary>
[Trait("Tier", "Grain")]
public sealed class HostedPlacementSiloLossTests : IAsyncLifetime
{
    private const long GB = HostedPlacementCluster.GB;
    private readonly HostedPlacementCluster _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task After_the_gpu_silo_stops_a_gpu_session_is_unschedulable_and_its_reservation_is_gone()
    {
        var gpu = _fixture.Gpu;
        var (before, _) = await _fixture.PlaceAndActivateAsync("gpu-session", gpu: true, 2 * GB);
        Assert.Equal(gpu, before.Silo);

        await _fixture.Cluster.StopSiloAsync(_fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(gpu)));

        PlacementDecision after = null!;
        await ModelTestHelpers.EventuallyAsync(async () =>
            {
                after = await _fixture.Ledger.PlaceAsync("gpu-session", new HostingRequirement(true, 2 * GB));
                return after.Silo is null;
            },
            Deadlines.Scaled(TimeSpan.FromSeconds(60)), "the ledger sees the GPU silo gone");
        Assert.Equal("no silo offers a GPU (requires_gpu: true); declare one with Silo:Resources:Gpu on a silo that has it", after.Unschedulable);

        var snapshot = await _fixture.Ledger.GetSnapshotAsync();
        Assert.Equal(new HashSet<SiloAddress> { _fixture.Small, _fixture.Large }, snapshot.Silos.Select(s => s.Silo).ToHashSet());
        Assert.DoesNotContain(snapshot.Silos, s => s.Sessions.Contains("gpu-session"));

        // A caller still holding the old decision gets a placement error, not an activation somewhere else.
        using var _ = HostedModelPlacement.Target(gpu);
        var stale = await Assert.ThrowsAsync<HostedPlacementException>(() => _fixture.Probe("late-caller").GetSiloAsync());
        Assert.Contains("is not in the cluster any more", stale.Message);
    }
}
