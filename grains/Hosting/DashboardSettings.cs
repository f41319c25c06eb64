namespace Mcp.Cluster.Hosting;

/// <summary>
/// Bound from <c>Dashboard</c>: the Orleans Dashboard, on every silo (it profiles grain calls there) and served by
/// gateways at <see cref="Path"/> to admin keys only. Off unless turned on: profiling every grain call and sampling
/// counters every second cost a node about 65 MB resident and CPU on every request (issue 18's measurements).
/// </summary>
public sealed class DashboardSettings
{
    public const string Section = "Dashboard";

    public bool Enabled { get; set; }

    public string Path { get; set; } = "/dashboard";

    /// <summary>Turns off the dashboard's live log stream (it shows every silo's log lines, secrets in them included).</summary>
    public bool HideTrace { get; set; }

    /// <summary>How often counters are sampled (at least 1000).</summary>
    public int CounterUpdateIntervalMs { get; set; } = 1000;

    public static DashboardSettings From(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        Microsoft.Extensions.Configuration.ConfigurationBinder.Get<DashboardSettings>(configuration.GetSection(Section)) ?? new DashboardSettings();

    public void Apply(Orleans.Dashboard.DashboardOptions options)
    {
        options.HideTrace = HideTrace;
        options.CounterUpdateIntervalMs = Math.Max(1000, CounterUpdateIntervalMs);
    }
}
