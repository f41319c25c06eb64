using Mcp.Cluster.Catalogs;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Storage;
using Mcp.Cluster.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Mcp.Cluster.Alerts;

/// <summary>
/// Evaluates the alert rules for the whole cluster: one activation (key <see cref="IAlertEvaluatorGrain.UsageStreamsKey"/>)
/// receives every gateway's usage events through its implicit subscription to the alert usage stream, keeps them in a
/// <see cref="UsageWindow"/>, and every <see cref="AlertOptions.EvaluationInterval"/> turns each enabled rule's
/// measure into alerts per subject. An alert notifies its channels once when it fires (again only after the rule's
/// repeat interval) and once when it resolves; rules and alert states are persisted, so a moved evaluator neither
/// re-notifies a firing alert nor forgets to resolve it. A reminder keeps it active when no traffic flows, so alerts
/// still resolve and concurrency is still watched.
/// </summary>
[ImplicitStreamSubscription(UsageStreams.AlertsNamespace)]
[GrainType("alertevaluator")]
public sealed class AlertEvaluatorGrain(
    [PersistentState("alerts", StorageNames.Default)] IPersistentState<AlertEvaluatorState> state,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertEvaluatorGrain> logger)
    : Grain, IAlertEvaluatorGrain, IRemindable, IStreamSubscriptionObserver, IAsyncObserver<UsageBatch>
{
    public const string Cluster = "cluster";
    private const string KeepAliveReminder = "keep-evaluating";

    private readonly AlertOptions _options = options.Value;
    private UsageWindow _window = null!;
    private DateTimeOffset? _lastEvaluated;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _window = new UsageWindow(_options.BucketWidth, _options.MaxWindow);
        if (!state.State.Seeded)
        {
            foreach (var rule in _options.DefaultRules())
            {
                state.State.Rules[rule.Name] = rule;
            }
            state.State.Seeded = true;
            await state.WriteStateAsync(cancellationToken);
        }
        if (_options.Enabled)
        {
            this.RegisterGrainTimer(EvaluateTickAsync, _options.EvaluationInterval, _options.EvaluationInterval);
        }
    }

    public async Task StartAsync()
    {
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public Task<IReadOnlyList<AlertRule>> GetRulesAsync() =>
        Task.FromResult<IReadOnlyList<AlertRule>>(state.State.Rules.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToArray());

    public async Task SetRuleAsync(AlertRule rule)
    {
        state.State.Rules[rule.Name] = rule;
        await state.WriteStateAsync();
    }

    public async Task<bool> DeleteRuleAsync(string name)
    {
        if (!state.State.Rules.Remove(name))
        {
            return false;
        }
        // Its alerts resolve on the next evaluation, which notifies whoever was told they fired.
        await state.WriteStateAsync();
        return true;
    }

    public Task<AlertOverview> GetAlertsAsync() => Task.FromResult(new AlertOverview(
        state.State.Active.Values.OrderBy(a => a.BreachingSince).ThenBy(a => a.Fingerprint, StringComparer.Ordinal).ToArray(),
        state.State.Resolved.ToArray(),
        _lastEvaluated));

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        await handleFactory.Create<UsageBatch>().ResumeAsync(this);
    }

    public Task OnNextAsync(UsageBatch item, StreamSequenceToken? token = null)
    {
        var now = time.GetUtcNow();
        foreach (var e in item.Events)
        {
            _window.Add(e, now);
        }
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private async Task EvaluateTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EvaluateAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Evaluating alert rules failed; trying again next interval");
        }
    }

    public async Task EvaluateAsync()
    {
        var now = time.GetUtcNow();
        _window.Trim(now);
        var breaching = new HashSet<string>(StringComparer.Ordinal);
        var notifications = new List<(IReadOnlyList<string> Channels, AlertNotification Notification)>();
        IReadOnlyList<string>? everyChannel = null;
        async Task<IReadOnlyList<string>> RecipientsAsync(AlertRule rule) => rule.Channels
            ?? (everyChannel ??= await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.AlertChannels).GetNamesAsync());
        var changed = false;

        foreach (var rule in state.State.Rules.Values.Where(r => r.Enabled).ToArray())
        {
            foreach (var (subject, value) in await ObserveAsync(rule, now))
            {
                if (!(value > rule.Threshold))
                {
                    continue;
                }
                var fingerprint = $"{rule.Name}/{subject}";
                breaching.Add(fingerprint);
                var alert = state.State.Active.TryGetValue(fingerprint, out var existing)
                    ? existing with { Value = value, Threshold = rule.Threshold, Severity = rule.Severity }
                    : new AlertInstance(fingerprint, rule.Name, rule.Kind, subject, rule.Severity, AlertStatus.Pending, value, rule.Threshold, now);
                changed |= existing is null || existing.Status != alert.Status;
                if (alert.Status == AlertStatus.Pending && now - alert.BreachingSince >= rule.For)
                {
                    var recipients = await RecipientsAsync(rule);
                    alert = alert with { Status = AlertStatus.Firing, FiredAt = now, LastNotifiedAt = now, Notifications = 1, NotifiedChannels = recipients };
                    notifications.Add((recipients, Notify(AlertNotification.Firing, alert, rule, now)));
                    logger.LogWarning("Alert {Fingerprint} firing: {Value} above {Threshold}", fingerprint, value, rule.Threshold);
                    changed = true;
                }
                else if (alert.Status == AlertStatus.Firing && rule.RepeatInterval is { } repeat && now - (alert.LastNotifiedAt ?? now) >= repeat)
                {
                    var recipients = await RecipientsAsync(rule);
                    alert = alert with
                    {
                        LastNotifiedAt = now,
                        Notifications = alert.Notifications + 1,
                        NotifiedChannels = [.. (alert.NotifiedChannels ?? []).Union(recipients, StringComparer.Ordinal)],
                    };
                    notifications.Add((recipients, Notify(AlertNotification.Firing, alert, rule, now)));
                    changed = true;
                }
                state.State.Active[fingerprint] = alert;
            }
        }

        foreach (var alert in state.State.Active.Values.Where(a => !breaching.Contains(a.Fingerprint)).ToArray())
        {
            state.State.Active.Remove(alert.Fingerprint);
            changed = true;
            if (alert.Status != AlertStatus.Firing)
            {
                continue;
            }
            var resolved = alert with { Status = AlertStatus.Resolved, ResolvedAt = now };
            state.State.Resolved.Insert(0, resolved);
            if (state.State.Resolved.Count > _options.ResolvedHistory)
            {
                state.State.Resolved.RemoveRange(_options.ResolvedHistory, state.State.Resolved.Count - _options.ResolvedHistory);
            }
            var rule = state.State.Rules.GetValueOrDefault(alert.Rule);
            notifications.Add((alert.NotifiedChannels ?? [], Notify(AlertNotification.Resolved, resolved, rule, now)));
            logger.LogInformation("Alert {Fingerprint} resolved", alert.Fingerprint);
        }

        _lastEvaluated = now;
        if (changed)
        {
            await state.WriteStateAsync();
        }
        foreach (var (channels, notification) in notifications)
        {
            foreach (var channel in channels)
            {
                // One-way: delivery and its retries happen in the channel grain; this loop never waits on a receiver.
                await GrainFactory.GetGrain<IAlertChannelGrain>(channel).DeliverAsync(notification);
            }
        }
    }

    private async Task<IReadOnlyList<(string Subject, double Value)>> ObserveAsync(AlertRule rule, DateTimeOffset now)
    {
        switch (rule.Kind)
        {
            case AlertRuleKind.ErrorRate:
            {
                var (requests, errors) = _window.Requests(now, rule.Window);
                return requests >= rule.MinSamples && requests > 0 ? [(Cluster, (double)errors / requests)] : [];
            }
            case AlertRuleKind.SlowQueries:
                return _window.Reads(now, rule.Window)
                    .Where(r => (rule.Source is null || r.Key == rule.Source) && r.Value.Latency.Count >= Math.Max(1, rule.MinSamples))
                    .Select(r => (r.Key, r.Value.Latency.Quantile(0.95) / 1000.0))
                    .ToArray();
            case AlertRuleKind.CacheMissRate:
                return _window.Reads(now, rule.Window)
                    .Select(r => (Source: r.Key, Lookups: r.Value.CacheHits + r.Value.CacheMisses, r.Value.CacheMisses))
                    .Where(r => (rule.Source is null || r.Source == rule.Source) && r.Lookups >= Math.Max(1, rule.MinSamples))
                    .Select(r => (r.Source, (double)r.CacheMisses / r.Lookups))
                    .ToArray();
            case AlertRuleKind.ConcurrentQueries:
            {
                var sources = rule.Source is { } one
                    ? [one]
                    : await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).GetNamesAsync();
                var counts = await Task.WhenAll(sources.Select(s => GrainFactory.GetGrain<IDataSourceGrain>(s).GetActiveQueriesAsync()));
                return [(rule.Source ?? Cluster, counts.Sum())];
            }
            default:
                return [];
        }
    }

    private static AlertNotification Notify(string kind, AlertInstance alert, AlertRule? rule, DateTimeOffset now) =>
        new(kind, alert, AlertText.Summary(alert), rule?.Description ?? AlertText.Describe(alert.Kind), now);
}
