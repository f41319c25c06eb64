using Mcp.Cluster.Models;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>
/// Which of the model grain's plans an executor follows. Found in a process cluster: after a silo was killed, an
/// executor had followed a plan of a model activation made a moment after the one that survived; the survivor's plans
/// carried lower versions, so the executor kept refusing with the old decision ("unschedulable") for minutes.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class ModelPlanLeaseTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private const long Survivor = 11;
    private const long Duplicate = 22;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Queue<ModelExecutionPlan> _answers = new();
    private readonly ModelPlanLease _lease;

    public ModelPlanLeaseTests() => _lease = new ModelPlanLease(Lease, _time, () => Task.FromResult(_answers.Dequeue()));

    [Fact]
    public async Task An_older_plan_of_the_same_activation_never_replaces_a_newer_one()
    {
        _lease.Follow(Plan(Survivor, version: 5, "newer"));
        _lease.Follow(Plan(Survivor, version: 4, "older"));

        Assert.Equal("newer", Detail(await _lease.CurrentAsync(forCall: true)));
    }

    [Fact]
    public async Task A_plan_of_another_activation_is_followed_whatever_its_version()
    {
        _lease.Follow(Plan(Duplicate, version: 900, "unschedulable"));
        _time.Advance(Lease);
        _answers.Enqueue(Plan(Survivor, version: 3, "placed"));

        Assert.Equal("placed", Detail(await _lease.CurrentAsync(forCall: true)));
        // And that activation's own order holds from then on.
        _lease.Follow(Plan(Survivor, version: 2, "stale"));
        Assert.Equal("placed", Detail(await _lease.CurrentAsync(forCall: true)));
    }

    [Fact]
    public async Task A_late_plan_of_a_gone_activation_lasts_only_until_the_lease_ends()
    {
        _lease.Follow(Plan(Survivor, version: 3, "placed"));
        _lease.Follow(Plan(Duplicate, version: 900, "late"));
        Assert.Equal("late", Detail(await _lease.CurrentAsync(forCall: true)));

        _time.Advance(Lease);
        _answers.Enqueue(Plan(Survivor, version: 4, "placed again"));
        Assert.Equal("placed again", Detail(await _lease.CurrentAsync(forCall: true)));
    }

    private static ModelExecutionPlan Plan(long issuer, long version, string detail) =>
        ModelExecutionPlan.NotFound("mod_lease", version, issuer) with { Unservable = new ModelRefusal(PredictionOutcome.Unavailable, detail) };

    private static string? Detail(ModelExecutionPlan plan) => plan.Unservable?.Detail;
}
