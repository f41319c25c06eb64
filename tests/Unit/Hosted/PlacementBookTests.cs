using System.Net;
using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Placement;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.Unit.Hosted;

[Trait("Tier", "Unit")]
public sealed class PlacementBookTests
{
    private const long GB = 1_000_000_000;
    private static readonly TimeSpan PendingTimeout = TimeSpan.FromMinutes(2);

    private static readonly SiloAddress Small = Silo(1);  // no GPU, 1 GB
    private static readonly SiloAddress Gpu = Silo(2);    // 1 GPU, 4 GB
    private static readonly SiloAddress Large = Silo(3);  // no GPU, 8 GB

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, SiloStatus> _status = new(StringComparer.Ordinal);
    private readonly PlacementBook _book;

    public PlacementBookTests()
    {
        _book = new PlacementBook(new ModelPlacementState(), _time, PendingTimeout);
        Declare(Small, 0, 1 * GB);
        Declare(Gpu, 1, 4 * GB);
        Declare(Large, 0, 8 * GB);
    }

    private static SiloAddress Silo(int n) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11110 + n), 100 + n);

    private void Declare(SiloAddress silo, int gpus, long bytes, SiloStatus status = SiloStatus.Active)
    {
        _book.Declare(new SiloResources(silo, gpus, bytes));
        _status[silo.ToParsableString()] = status;
    }

    private SiloStatus StatusOf(string silo) => _status.GetValueOrDefault(silo, SiloStatus.None);

    private PlacementDecision Place(string session, bool gpu, long bytes) => _book.Place(session, new HostingRequirement(gpu, bytes), StatusOf);

    private PlacementDecision Confirm(string session, SiloAddress silo, bool gpu, long bytes) =>
        _book.Confirm(session, silo, new HostingRequirement(gpu, bytes), StatusOf);

    private SiloPlacement Entry(SiloAddress silo) => _book.Snapshot(StatusOf).Silos.Single(s => s.Silo.Equals(silo));

    [Fact]
    public void A_check_says_where_a_session_would_go_and_holds_nothing()
    {
        _book.TakeChanges();
        var check = _book.Place("idle-model", new HostingRequirement(false, 6 * GB), StatusOf, reserve: false);

        Assert.Equal(Large, check.Silo);
        Assert.Equal(0, Entry(Large).ReservedBytes);
        Assert.False(_book.TakeChanges());
        // The memory it would take is still there for a session that is called.
        Assert.Equal(Large, Place("called-model", gpu: false, 7 * GB).Silo);
        Assert.Contains("largest free budget", _book.Place("idle-model", new HostingRequirement(false, 6 * GB), StatusOf, reserve: false).Unschedulable);
    }

    [Fact]
    public void A_session_that_needs_a_gpu_goes_to_the_silo_that_offers_one()
    {
        var decision = Place("gpu-model", gpu: true, 1 * GB);
        Assert.Equal(Gpu, decision.Silo);
        Assert.Null(decision.Unschedulable);
    }

    [Fact]
    public void Without_a_gpu_silo_a_gpu_session_is_unschedulable_with_the_setting_to_declare()
    {
        _status[Gpu.ToParsableString()] = SiloStatus.Dead;
        var decision = Place("gpu-model", gpu: true, 1 * GB);
        Assert.Null(decision.Silo);
        Assert.Equal("no silo offers a GPU (requires_gpu: true); declare one with Silo:Resources:Gpu on a silo that has it", decision.Unschedulable);
    }

    [Fact]
    public void A_session_goes_where_its_memory_is_free_and_one_that_fits_nowhere_names_the_largest_free_budget()
    {
        Assert.Equal(Large, Place("big", gpu: false, 6 * GB).Silo);
        var second = Place("big-too", gpu: false, 6 * GB);
        Assert.Null(second.Silo);
        Assert.Equal($"needs 6.0 GB of model memory; the largest free budget is 4.0 GB on silo {Gpu.ToParsableString()} (of 4.0 GB); "
            + "unload or delete models to free memory, or add a silo", second.Unschedulable);
    }

    [Fact]
    public void A_session_larger_than_every_budget_says_to_raise_the_budget()
    {
        var decision = Place("huge", gpu: false, 9 * GB);
        Assert.Null(decision.Silo);
        Assert.StartsWith("needs 9.0 GB of model memory; the largest free budget is 8.0 GB on silo ", decision.Unschedulable);
        Assert.EndsWith("raise Silo:Resources:ModelMemory on a silo or lower memory_requirement", decision.Unschedulable);
    }

    [Fact]
    public void A_gpu_session_only_counts_gpu_silos_memory()
    {
        var decision = Place("gpu-huge", gpu: true, 5 * GB);
        Assert.Null(decision.Silo);
        Assert.StartsWith($"needs 5.0 GB of model memory on a GPU silo; the largest free budget is 4.0 GB on silo {Gpu.ToParsableString()} (of 4.0 GB)",
            decision.Unschedulable);
    }

    [Fact]
    public void The_silo_with_the_most_free_memory_wins_and_ties_go_by_address()
    {
        Assert.Equal(Large, Place("a", gpu: false, 1 * GB).Silo);   // free: 1, 4, 8
        Assert.Equal(Large, Place("b", gpu: false, 1 * GB).Silo);   // free: 1, 4, 7
        Assert.Equal(Large, Place("c", gpu: false, 1 * GB).Silo);   // free: 1, 4, 6
        Assert.Equal(Large, Place("d", gpu: false, 1 * GB).Silo);   // free: 1, 4, 5
        // Now 4 GB free on both the GPU silo and the large one: the lower address decides, whatever the order of declaration.
        Assert.Equal(Gpu, Place("e", gpu: false, 1 * GB).Silo);
        Assert.Equal(3 * GB, Entry(Gpu).ModelMemoryBytes - Entry(Gpu).ReservedBytes);
        Assert.Equal(4 * GB, Entry(Large).ReservedBytes);
    }

    [Fact]
    public void Nothing_declared_is_unschedulable_until_a_silo_declares()
    {
        var book = new PlacementBook(new ModelPlacementState(), _time, PendingTimeout);
        var decision = book.Place("any", new HostingRequirement(false, 1), StatusOf);
        Assert.Null(decision.Silo);
        Assert.Equal("no silo has declared resources yet; silos declare them at start (Silo:Resources)", decision.Unschedulable);
    }

    [Fact]
    public void A_placement_is_kept_while_its_silo_is_active_even_when_another_has_more_room_now()
    {
        Assert.Equal(Large, Place("kept", gpu: false, 1 * GB).Silo);
        Declare(Silo(9), 0, 100 * GB);
        Assert.Equal(Large, Place("kept", gpu: false, 1 * GB).Silo);
        Assert.Equal(Silo(9), Place("new", gpu: false, 1 * GB).Silo);
    }

    [Fact]
    public void A_session_moves_when_its_silo_leaves_and_the_silo_is_forgotten()
    {
        Assert.Equal(Gpu, Place("gpu-model", gpu: true, 1 * GB).Silo);
        Declare(Silo(4), 2, 2 * GB);
        _status[Gpu.ToParsableString()] = SiloStatus.ShuttingDown;

        Assert.Equal(Silo(4), Place("gpu-model", gpu: true, 1 * GB).Silo);
        Assert.DoesNotContain(Gpu.ToParsableString(), _book.State.Silos.Keys);
        // Back (it re-declares): the session stays where it moved.
        Declare(Gpu, 1, 4 * GB);
        Assert.Equal(Silo(4), Place("gpu-model", gpu: true, 1 * GB).Silo);
    }

    [Fact]
    public void A_silo_not_yet_active_stays_declared_but_takes_no_session()
    {
        var joining = Silo(5);
        Declare(joining, 4, 64 * GB, SiloStatus.Joining);
        Assert.Equal(Large, Place("s", gpu: false, 1 * GB).Silo);
        Assert.Contains(joining.ToParsableString(), _book.State.Silos.Keys);
        Assert.DoesNotContain(_book.Snapshot(StatusOf).Silos, s => s.Silo.Equals(joining));

        _status[joining.ToParsableString()] = SiloStatus.Active;
        Assert.Equal(joining, Place("t", gpu: false, 1 * GB).Silo);
    }

    [Fact]
    public void A_grown_requirement_moves_the_session_when_its_silo_has_no_room_for_it()
    {
        Assert.Equal(Gpu, Place("grows", gpu: true, 1 * GB).Silo);
        Assert.Equal(Gpu, Place("grows", gpu: true, 3 * GB).Silo);
        Assert.Equal(3 * GB, Entry(Gpu).ReservedBytes);
        Assert.Equal(Large, Place("grows", gpu: false, 6 * GB).Silo);
        Assert.Equal(0, Entry(Gpu).ReservedBytes);
    }

    [Fact]
    public void Confirming_where_it_was_placed_is_idempotent_and_clears_the_pending_mark()
    {
        Assert.Equal(Gpu, Place("s", gpu: true, 2 * GB).Silo);
        _book.TakeChanges();
        Assert.NotNull(_book.State.Sessions["s"].PendingSince);

        Assert.Equal(Gpu, Confirm("s", Gpu, gpu: true, 2 * GB).Silo);
        Assert.Null(_book.State.Sessions["s"].PendingSince);
        Assert.True(_book.TakeChanges());

        Assert.Equal(Gpu, Confirm("s", Gpu, gpu: true, 2 * GB).Silo);
        Assert.False(_book.TakeChanges());
        Assert.Equal(2 * GB, Entry(Gpu).ReservedBytes);
    }

    [Fact]
    public void Confirming_on_another_silo_that_has_room_moves_the_reservation_there()
    {
        Assert.Equal(Large, Place("s", gpu: false, 2 * GB).Silo);
        Assert.Equal(Gpu, Confirm("s", Gpu, gpu: false, 2 * GB).Silo);
        Assert.Equal(2 * GB, Entry(Gpu).ReservedBytes);
        Assert.Equal(0, Entry(Large).ReservedBytes);
        Assert.Equal(["s"], Entry(Gpu).Sessions);
    }

    [Fact]
    public void Confirming_where_it_does_not_fit_is_refused_with_the_reason_and_keeps_the_placement()
    {
        Assert.Equal(Large, Place("s", gpu: false, 2 * GB).Silo);

        var noRoom = Confirm("s", Small, gpu: false, 2 * GB);
        Assert.Null(noRoom.Silo);
        Assert.Equal($"needs 2.0 GB of model memory; silo {Small.ToParsableString()} has 1.0 GB free (of 1.0 GB)", noRoom.Unschedulable);

        var noGpu = Confirm("gpu", Large, gpu: true, 1 * GB);
        Assert.Equal($"silo {Large.ToParsableString()} offers no GPU (requires_gpu: true)", noGpu.Unschedulable);

        var undeclared = Confirm("s", Silo(7), gpu: false, 1);
        Assert.Null(undeclared.Silo);
        Assert.Contains("not an active member", undeclared.Unschedulable);

        Assert.Equal(2 * GB, Entry(Large).ReservedBytes);
        Assert.DoesNotContain("gpu", _book.State.Sessions.Keys);
    }

    [Fact]
    public void Release_frees_the_memory_but_a_release_from_a_silo_the_session_left_frees_nothing()
    {
        Assert.Equal(Large, Place("s", gpu: false, 6 * GB).Silo);
        _book.Release("s", Gpu);
        Assert.Equal(6 * GB, Entry(Large).ReservedBytes);

        _book.Release("s", Large);
        Assert.Equal(0, Entry(Large).ReservedBytes);
        Assert.Empty(Entry(Large).Sessions);
        Assert.Equal(Large, Place("other", gpu: false, 8 * GB).Silo);
    }

    [Fact]
    public void A_pending_reservation_expires_after_the_timeout_but_a_confirmed_one_stays()
    {
        Assert.Equal(Large, Place("never-loaded", gpu: false, 5 * GB).Silo);
        Assert.Equal(Gpu, Place("loaded", gpu: false, 3 * GB).Silo);
        Confirm("loaded", Gpu, gpu: false, 3 * GB);

        _time.Advance(PendingTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(5 * GB, Entry(Large).ReservedBytes);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, Entry(Large).ReservedBytes);
        Assert.Equal(3 * GB, Entry(Gpu).ReservedBytes);
        Assert.Equal(["loaded"], _book.State.Sessions.Keys);
    }

    [Fact]
    public void Changes_are_reported_only_when_the_state_changed()
    {
        Assert.True(_book.TakeChanges());
        Declare(Gpu, 1, 4 * GB);
        Assert.False(_book.TakeChanges());
        Declare(Gpu, 2, 4 * GB);
        Assert.True(_book.TakeChanges());

        Place("s", gpu: false, 1 * GB);
        Assert.True(_book.TakeChanges());
        Place("s", gpu: false, 1 * GB);
        _book.Snapshot(StatusOf);
        _book.Release("s", Small);
        Assert.False(_book.TakeChanges());
    }

    [Fact]
    public void The_snapshot_lists_active_silos_by_address_with_what_they_hold()
    {
        Place("b", gpu: false, 2 * GB);
        Place("a", gpu: false, 3 * GB);
        Place("g", gpu: true, 1 * GB);
        var snapshot = _book.Snapshot(StatusOf);
        Assert.Equal([Small, Gpu, Large], snapshot.Silos.Select(s => s.Silo));
        var large = snapshot.Silos[2];
        Assert.Equal((0, 8 * GB, 5 * GB), (large.Gpus, large.ModelMemoryBytes, large.ReservedBytes));
        Assert.Equal(["a", "b"], large.Sessions);
        Assert.Equal(["g"], snapshot.Silos[1].Sessions);
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(999, "999 bytes")]
    [InlineData(1_500, "1.5 KB")]
    [InlineData(512_000_000, "512.0 MB")]
    [InlineData(2_000_000_000, "2.0 GB")]
    [InlineData(1_073_741_824, "1.1 GB")]
    [InlineData(3_000_000_000_000, "3.0 TB")]
    public void Sizes_read_in_the_units_they_are_configured_in(long bytes, string text) => Assert.Equal(text, ByteSize.Format(bytes));
}
