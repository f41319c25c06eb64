using System.Text;
using Mcp.Cluster.DataSources.QueryTests;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>How a run's answer is judged against a test's expectation (pure).</summary>
[Trait("Tier", "Unit")]
public sealed class QueryTestJudgeTests
{
    private static readonly byte[] Rows = Encoding.UTF8.GetBytes("""[{"id":1,"city":"Austin","n":2.0},{"id":2,"city":"Boston","n":3}]""");

    private static IReadOnlyList<string> Judge(DataQueryExpectation expect, bool ordered = false, double ms = 5) =>
        QueryTestJudge.Judge(expect, ordered, Rows, 2, ms);

    [Fact]
    public void Rows_match_on_the_fields_given_in_any_order_unless_the_query_orders()
    {
        Assert.Empty(Judge(new(2, """[{"city":"Boston"},{"city":"Austin","n":2}]""", 100)));
        var ordered = Judge(new(null, """[{"city":"Boston"},{"city":"Austin"}]""", null), ordered: true);
        Assert.Equal(["row 1 is {\"city\":\"Austin\"}, expected {\"city\":\"Boston\"}", "row 2 is {\"city\":\"Boston\"}, expected {\"city\":\"Austin\"}"], ordered);
    }

    [Fact]
    public void Failures_name_the_count_the_missing_and_unexpected_rows_and_the_time()
    {
        var failures = Judge(new(3, """[{"city":"Austin"},{"city":"Denver"}]""", 1), ms: 12.4);
        Assert.Equal(["row_count 2, expected 3", "missing row {\"city\":\"Denver\"}", "unexpected row {\"city\":\"Boston\"}", "took 12 ms, expected at most 1 ms"], failures);
    }

    [Fact]
    public void Many_failures_are_cut_to_a_readable_list()
    {
        var expected = "[" + string.Join(",", Enumerable.Range(0, 50).Select(i => $$"""{"id":{{i + 100}}}""")) + "]";
        var failures = Judge(new(null, expected, null));
        Assert.Equal(QueryTestJudge.MaxFailures + 1, failures.Count);
        Assert.Equal("… and 32 more", failures[^1]);
    }

    [Theory]
    [InlineData("""{"a":1}""")]
    [InlineData("""[1, 2]""")]
    [InlineData("""[{"a":1}, "x"]""")]
    [InlineData("not json")]
    public void Expected_rows_must_be_a_list_of_objects(string rows)
    {
        Assert.NotNull(QueryTestJudge.RowsProblem(rows));
    }
}
