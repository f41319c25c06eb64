using System.Globalization;
using Mcp.Cluster.Gateway.McpProtocol;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mcp.Cluster.Gateway.Health;

/// <summary>
/// Readiness of MCP notifications on this gateway: healthy while it is subscribed to the catalog-change stream and the
/// cluster confirms the subscription; degraded while the cluster cannot be asked (several checks in a row failed);
/// unhealthy while it is not subscribed (starting, or the subscription was dropped and subscribing again has not
/// succeeded yet), since its MCP sessions then miss every change.
/// </summary>
public sealed class CatalogSubscriptionHealthCheck(CatalogSubscriptionStatus status, TimeProvider time) : IHealthCheck
{
    public const string Name = "catalog_changes";

    /// <summary>How long readiness waits for the first subscription of a gateway that is just starting.</summary>
    private static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (status.Current.Phase == CatalogSubscriptionPhase.Starting)
        {
            // Subscribing is the last step of starting; a readiness probe right after the start waits for it.
            try
            {
                await status.FirstSubscription.WaitAsync(StartupWait, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
        var now = time.GetUtcNow();
        var s = status.Current;
        var resubscribed = s.Resubscriptions == 0 ? ""
            : $"; resubscribed {s.Resubscriptions} time(s), last at {Stamp(s.LastResubscribed)} after {s.LostReason}";
        return s.Phase switch
        {
            CatalogSubscriptionPhase.Subscribed when s.FailedChecks >= status.UnverifiedAfterFailedChecks => HealthCheckResult.Degraded(
                $"subscription not confirmed since {Stamp(s.LastVerified)}: {s.FailedChecks} checks failed, last: {s.LastError}{resubscribed}"),
            CatalogSubscriptionPhase.Subscribed => HealthCheckResult.Healthy(
                $"subscribed since {Stamp(s.Since)}, last confirmed {Stamp(s.LastVerified)} ({Seconds(now - (s.LastVerified ?? s.Since))} ago){resubscribed}"),
            CatalogSubscriptionPhase.Lost => HealthCheckResult.Unhealthy(
                $"not subscribed since {Stamp(s.Since)} ({s.LostReason}): MCP sessions miss changes; subscribing again, last error: {s.LastError}"),
            _ => HealthCheckResult.Unhealthy($"not subscribed yet (starting since {Stamp(s.Since)}){(s.LastError is null ? "" : ": " + s.LastError)}"),
        };
    }

    private static string Stamp(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? "never";

    private static string Seconds(TimeSpan span) => $"{Math.Max(0, span.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture)} s";
}
