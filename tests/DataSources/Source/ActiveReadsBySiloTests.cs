using Mcp.Cluster.DataSources;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.DataSources.Source;

[Trait("Tier", "Unit")]
public sealed class ActiveReadsBySiloTests
{
    [Fact]
    public void Each_silo_counts_its_last_report_until_it_has_been_silent_for_three_intervals()
    {
        var time = new FakeTimeProvider();
        var reads = new ActiveReadsBySilo(new DataSourceGrainOptions { UsageReportInterval = TimeSpan.FromSeconds(1) }, time);
        reads.Reported(Report("silo-1", 3));
        reads.Reported(Report("silo-2", 2));
        reads.Reported(Report("silo-1", 1));
        Assert.Equal(3, reads.Count());

        time.Advance(TimeSpan.FromSeconds(3));
        reads.Reported(Report("silo-2", 2));
        time.Advance(TimeSpan.FromSeconds(1.5));
        // silo-1 last spoke 4.5 s ago (more than 3 intervals and a second): it died, or its reads ended.
        Assert.Equal(2, reads.Count());
    }

    private static DataUsageReport Report(string silo, int active) => new(silo, DateTimeOffset.UnixEpoch, active, [], 0, 0, 0, 0, 0, 0);
}
