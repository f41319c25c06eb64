using System.Diagnostics.Metrics;
using Mcp.Cluster.Telemetry;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Whether this gateway is subscribed to the catalog-change stream right now, as <see cref="CatalogChangeListener"/>
/// last found it: read by readiness (<see cref="Health.CatalogSubscriptionHealthCheck"/>) and exported as the
/// <c>mcp.notifications.subscribed</c> gauge and the <c>mcp.notifications.resubscriptions</c> counter.
/// </summary>
public sealed class CatalogSubscriptionStatus
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _firstSubscription = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly IOptions<McpNotificationOptions> _options;
    private readonly Counter<long> _resubscriptions;
    private Snapshot _current;

    public CatalogSubscriptionStatus(TimeProvider time, IOptions<McpNotificationOptions> options, IMeterFactory meters)
    {
        _time = time;
        _options = options;
        _current = new Snapshot(CatalogSubscriptionPhase.Starting, time.GetUtcNow(), null, 0, null, 0, null, null);
        var meter = meters.Create(McpMetrics.MeterName);
        meter.CreateObservableGauge("mcp.notifications.subscribed", () => Current.Phase == CatalogSubscriptionPhase.Subscribed ? 1 : 0, "{subscription}",
            "1 while this gateway is subscribed to the catalog-change stream that notifies its MCP sessions, 0 while it is not.");
        _resubscriptions = meter.CreateCounter<long>("mcp.notifications.resubscriptions", "{subscription}",
            "Times this gateway found its catalog-change subscription dropped by the cluster and subscribed again.");
    }

    public Snapshot Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Completes when the gateway has subscribed for the first time.</summary>
    public Task FirstSubscription => _firstSubscription.Task;

    public int UnverifiedAfterFailedChecks => _options.Value.UnverifiedAfterFailedChecks;

    public void Subscribed()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var again = _current.Phase == CatalogSubscriptionPhase.Lost;
            if (again)
            {
                _resubscriptions.Add(1);
            }
            _current = _current with
            {
                Phase = CatalogSubscriptionPhase.Subscribed, Since = now, LastVerified = now, FailedChecks = 0, LastError = null,
                Resubscriptions = _current.Resubscriptions + (again ? 1 : 0), LastResubscribed = again ? now : _current.LastResubscribed,
            };
        }
        _firstSubscription.TrySetResult();
    }

    /// <summary>
    /// The cluster no longer holds the subscription (<paramref name="reason"/>), or subscribing again failed: nothing
    /// reaches MCP sessions until <see cref="Subscribed"/>.
    /// </summary>
    public void Lost(string reason)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _current = _current.Phase == CatalogSubscriptionPhase.Subscribed
                ? _current with { Phase = CatalogSubscriptionPhase.Lost, Since = now, LostReason = reason, LastError = reason }
                : _current with { LastError = reason };
        }
    }

    public void Verified()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _current = _current with { LastVerified = now, FailedChecks = 0, LastError = null };
        }
    }

    /// <summary>The cluster could not be asked (a silo is being declared dead, the connection is down): unknown for now.</summary>
    public void CheckFailed(string error)
    {
        lock (_lock)
        {
            _current = _current with { FailedChecks = _current.FailedChecks + 1, LastError = error };
        }
    }

    /// <param name="Phase">Subscribed or not.</param>
    /// <param name="Since">When the current phase began.</param>
    /// <param name="LastVerified">When the cluster last confirmed the subscription.</param>
    /// <param name="FailedChecks">Checks that failed in a row since then.</param>
    /// <param name="LastError">What the last failed check or subscription attempt said.</param>
    /// <param name="Resubscriptions">Times the gateway subscribed again after losing the subscription.</param>
    /// <param name="LastResubscribed">When it last did.</param>
    /// <param name="LostReason">Why the subscription was last lost.</param>
    public sealed record Snapshot(
        CatalogSubscriptionPhase Phase,
        DateTimeOffset Since,
        DateTimeOffset? LastVerified,
        int FailedChecks,
        string? LastError,
        int Resubscriptions,
        DateTimeOffset? LastResubscribed,
        string? LostReason);
}

public enum CatalogSubscriptionPhase
{
    /// <summary>Not subscribed yet since the gateway started.</summary>
    Starting,

    /// <summary>Subscribed; the snapshot's LastVerified says when the cluster last confirmed it.</summary>
    Subscribed,

    /// <summary>Was subscribed, found dropped, and not subscribed again yet.</summary>
    Lost,
}
