using Mcp.Cluster.Changes;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.Usage;

/// <summary>
/// The usage grain keeps minutes beside its day totals: reports read the totals without them, a timeline read never
/// returns a minute older than 24 hours, and a grain with minutes schedules their removal for when they expire.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Tier", "Grain")]
public sealed class UsageTimelineGrainTests(ClusterFixture fixture)
{
    private async Task PublishAsync(UsageScope scope, params UsageEvent[] events) =>
        await fixture.Cluster.Client.GetStreamProvider(ChangeStreams.Provider)
            .GetStream<UsageBatch>(StreamId.Create(UsageStreams.Namespace, scope.ToString())).OnNextAsync(UsageBatch.Of(events));

    private static UsageEvent Event(DateTimeOffset at, string keyId) => new(at, keyId, null, null, "GET /x", "rest", 200, 12);

    [Fact]
    public async Task Minutes_are_read_apart_from_the_totals_none_older_than_24_hours_and_their_expiry_is_scheduled()
    {
        var keyId = "key_" + Guid.NewGuid().ToString("N")[..16];
        var now = DateTimeOffset.UtcNow;
        var recent = now.AddMinutes(-1);
        var stale = now.AddHours(-30);
        var today = UsageScope.Key(keyId, DateOnly.FromDateTime(recent.UtcDateTime));
        var old = UsageScope.Key(keyId, DateOnly.FromDateTime(stale.UtcDateTime));
        await PublishAsync(today, Event(recent, keyId), Event(recent, keyId));
        await PublishAsync(old, Event(stale, keyId));

        var todayGrain = fixture.Grains.GetGrain<IUsageMetricsGrain>(today.ToString());
        var oldGrain = fixture.Grains.GetGrain<IUsageMetricsGrain>(old.ToString());
        await ModelTestHelpers.EventuallyAsync(async () => (await todayGrain.GetAsync()).Requests == 2 && (await oldGrain.GetAsync()).Requests == 1,
            TimeSpan.FromSeconds(20), "both days to count their events");

        var totals = await todayGrain.GetAsync();
        Assert.Empty(totals.Timeline.Minutes);
        var timeline = await todayGrain.GetTimelineAsync(0);
        Assert.Equal(2, timeline.Minutes[UsageTimeline.MinuteOf(recent)].Requests);
        Assert.Empty((await todayGrain.GetTimelineAsync(UsageTimeline.MinuteOf(recent) + 1)).Minutes);
        // The stale day still counts its request, but its minute is past the 24 hours a timeline covers.
        Assert.Empty((await oldGrain.GetTimelineAsync(0)).Minutes);

        // The grain writes every PersistInterval (5 s) and schedules the removal of its minutes then.
        var reminders = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        var grainId = ((GrainReference)todayGrain).GrainId;
        ReminderEntry? expiry = null;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            expiry = (await reminders.ReadRows(grainId)).Reminders.FirstOrDefault(r => r.ReminderName == "timeline-expiry");
            return expiry is not null;
        }, TimeSpan.FromSeconds(20), "the timeline's expiry reminder");
        var lastMinuteExpires = new DateTimeOffset(today.Day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1);
        Assert.InRange(new DateTimeOffset(expiry!.StartAt, TimeSpan.Zero), lastMinuteExpires, lastMinuteExpires.AddMinutes(2));
    }
}
