using Mcp.Cluster.DataSources;

namespace Mcp.Cluster.Tests.DataSources.Source;

[Trait("Tier", "Unit")]
public sealed class RawSqlSlotsTests
{
    [Fact]
    public void The_source_and_each_key_run_at_most_their_limit_of_statements_and_a_release_frees_one()
    {
        var slots = new RawSqlSlots("jobs_db", new DataSourceGrainOptions { MaxConcurrentSql = 3, MaxConcurrentSqlPerKey = 2 });
        slots.Take("key_a");
        slots.Take("key_a");
        Assert.Contains("This key is already running 2", slots.Problem("key_a"));
        Assert.Null(slots.Problem("key_b"));
        slots.Take("key_b");
        Assert.Contains("already running 3 raw SQL statements", slots.Problem("key_c"));

        slots.Release("key_a");
        Assert.Equal(2, slots.Running);
        Assert.Null(slots.Problem("key_a"));
        // A release whose take was lost (the grain reactivated) never goes below zero.
        slots.Release("key_x");
        slots.Release("key_x");
        slots.Release("key_x");
        Assert.Equal(0, slots.Running);
    }
}
