using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Mcp.Cluster.Usage;

/// <summary>
/// Aggregates the usage events of one scope and day (its key is the <see cref="UsageScope"/> string). Activated by
/// its implicit subscription when a gateway publishes the first batch for the scope. Counts are written behind, every
/// <see cref="UsageMetricsOptions.PersistInterval"/> and on deactivation, so the request path never waits for storage:
/// a silo that dies loses at most that interval's counts of the grains it hosted. Quotas are not enforced from
/// here (they live in the key and data-source grains, which count before serving).
/// The per-minute timeline is kept for 24 hours only: minutes older than that are dropped while the grain is active
/// (once a minute), when it activates, and, for a day whose grain went idle, by a reminder due when the day's last
/// minute is 24 hours old, so a scope that falls silent does not keep its last day's minutes in storage for ever.
/// (In local mode reminders live in memory: a day whose reminder a restart lost drops its minutes the next time its
/// grain activates, which any usage report over two days or more does.)
/// </summary>
[ImplicitStreamSubscription(UsageStreams.Namespace)]
[GrainType("usagemetrics")]
public sealed class UsageMetricsGrain(
    [PersistentState("usage", StorageNames.Default)] IPersistentState<UsageTotals> usage,
    IOptions<UsageMetricsOptions> options,
    TimeProvider time,
    ILogger<UsageMetricsGrain> logger) : Grain, IUsageMetricsGrain, IStreamSubscriptionObserver, IAsyncObserver<UsageBatch>, IRemindable
{
    private const string TimelineExpiryReminder = "timeline-expiry";

    private bool _dirty;
    private bool _breakdowns;
    private DateOnly? _day;
    private long _prunedAt;
    private bool _expiryScheduled;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (UsageScope.TryParse(this.GetPrimaryKeyString(), out var scope))
        {
            _breakdowns = scope.Kind == UsageScopeKind.Cluster;
            _day = scope.Day;
        }
        PruneTimeline();
        var interval = options.Value.PersistInterval;
        this.RegisterGrainTimer(TickAsync, interval, interval);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await PersistAsync(cancellationToken);
    }

    public Task<UsageTotals> GetAsync() => Task.FromResult(usage.State.WithoutTimeline());

    public Task<UsageTimeline> GetTimelineAsync(long fromMinute)
    {
        var now = UsageTimeline.MinuteOf(time.GetUtcNow());
        return Task.FromResult(usage.State.Timeline.Since(Math.Max(fromMinute, UsageTimeline.OldestRetained(now))));
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        await handleFactory.Create<UsageBatch>().ResumeAsync(this);
    }

    public Task OnNextAsync(UsageBatch item, StreamSequenceToken? token = null)
    {
        foreach (var e in item.Events)
        {
            usage.State.Add(e, _breakdowns);
        }
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != TimelineExpiryReminder)
        {
            return;
        }
        PruneTimeline();
        if (usage.State.Timeline.Minutes.Count == 0)
        {
            if (await this.GetReminder(TimelineExpiryReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        await PersistAsync(CancellationToken.None);
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        PruneTimeline();
        await PersistAsync(cancellationToken);
    }

    /// <summary>Drops minutes older than 24 hours; scans the timeline at most once a minute.</summary>
    private void PruneTimeline()
    {
        var now = UsageTimeline.MinuteOf(time.GetUtcNow());
        if (now == _prunedAt)
        {
            return;
        }
        _prunedAt = now;
        if (usage.State.Timeline.Prune(now) > 0)
        {
            _dirty = true;
        }
    }

    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }
        await ScheduleTimelineExpiryAsync();
        _dirty = false;
        try
        {
            await usage.WriteStateAsync(cancellationToken);
        }
        catch
        {
            // Keep the counts and try again on the next tick.
            _dirty = true;
            throw;
        }
    }

    /// <summary>
    /// Once per activation that writes minutes, off the stream's delivery path: a reminder that wakes the grain when
    /// all its minutes are 24 hours old (registering again only moves the same reminder). A failure to register is
    /// tried again at the next write; it never holds back the counts.
    /// </summary>
    private async Task ScheduleTimelineExpiryAsync()
    {
        if (_expiryScheduled || usage.State.Timeline.Minutes.Count == 0 || _day is not { } day)
        {
            return;
        }
        var expires = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            + TimeSpan.FromMinutes(UsageTimeline.RetainedMinutes) + TimeSpan.FromMinutes(1);
        var due = expires - time.GetUtcNow();
        if (due <= TimeSpan.Zero)
        {
            // Already expired: pruning on activation and every minute empties it while the grain lives.
            return;
        }
        try
        {
            await this.RegisterOrUpdateReminder(TimelineExpiryReminder, due, TimeSpan.FromHours(1));
            _expiryScheduled = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not schedule the expiry of the usage timeline of {Scope}; trying again at the next write", this.GetPrimaryKeyString());
        }
    }
}
