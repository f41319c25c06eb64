using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.InMemory;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// The in-memory engine (Azure blob sources) runs aggregates, group_by and member paths with the SQL sources'
/// semantics: a member of another type than the comparison's matches nothing, JSON null and missing group together,
/// a value that is not JSON has no members.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class AggregateInMemoryTests
{
    private static readonly TableSchema Events = new("events",
    [
        new ColumnSchema("id", DataType.Integer, false, "integer"),
        new ColumnSchema("kind", DataType.Text, false, "text"),
        new ColumnSchema("score", DataType.Decimal, true, "decimal"),
        new ColumnSchema("meta", DataType.Json, true, "json"),
    ], ["events"]);

    /// <summary>meta.max: a number (rows 1, 2, 5, 6, …), "high" (3, 7, …), JSON null (4, 8, …); row 13 has no meta, row 14 text that is not JSON.</summary>
    private static readonly IReadOnlyList<object?[]> Rows =
    [
        .. Enumerable.Range(1, 12).Select(i => new object?[]
        {
            (long)i, i % 3 == 0 ? "click" : "view", i * 1.5m,
            new RawJson((i % 4) switch
            {
                1 => $$"""{"max": {{i * 10}}, "tag": "n"}""",
                2 => $$"""{"max": {{i * 10}}.5, "tag": "n"}""",
                3 => """{"max": "high", "tag": "t"}""",
                _ => """{"max": null}""",
            }),
        }),
        [13L, "view", null, null],
        [14L, "click", 2m, new RawJson("not json")],
    ];

    private static RowSet Run(DataQuery query)
    {
        var (read, problem) = InMemoryQueryEngine.Prepare(query, Events, new QueryLimits(), "v1");
        Assert.Null(problem);
        return InMemoryQueryEngine.Run((InMemoryRead)read!, Rows);
    }

    private static DataQuery Query(IReadOnlyList<DataFilter>? filters = null, IReadOnlyList<DataAggregate>? aggregates = null, IReadOnlyList<string>? groupBy = null,
        IReadOnlyList<DataOrder>? order = null, IReadOnlyList<string>? fields = null, int limit = 100, int offset = 0) =>
        new("events", fields, filters ?? [], order ?? [], limit, offset, aggregates, groupBy);

    private static decimal? Max(long i) => i > 12 ? null : (i % 4) switch { 1 => i * 10m, 2 => i * 10m + 0.5m, _ => null };

    [Fact]
    public void Member_filters_compare_by_the_values_kind_and_skip_other_kinds()
    {
        var numeric = Run(Query([new DataFilter("meta.max", FilterOperator.Gt, "50")], fields: ["id", "meta.max"], order: [new DataOrder("id", false)]));
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i).Where(i => Max(i) > 50), numeric.Rows.Select(r => (long)r[0]!));
        Assert.All(numeric.Rows, r => Assert.IsType<RawJson>(r[1]));

        var text = Run(Query([new DataFilter("meta.max", FilterOperator.Eq, "\"high\"")], fields: ["id"]));
        Assert.Equal([3L, 7L, 11L], text.Rows.Select(r => (long)r[0]!));

        var missing = Run(Query([new DataFilter("meta.max", FilterOperator.IsNull, "true")], fields: ["id"]));
        Assert.Equal([4L, 8L, 12L, 13L, 14L], missing.Rows.Select(r => (long)r[0]!));

        var notIn = Run(Query([new DataFilter("meta.tag", FilterOperator.NotIn, """["t"]""")], fields: ["id"]));
        Assert.Equal([1L, 2L, 5L, 6L, 9L, 10L], notIn.Rows.Select(r => (long)r[0]!));
    }

    [Fact]
    public void Aggregates_per_group_take_numeric_members_and_count_present_values()
    {
        var answer = Run(Query(aggregates: [new(AggregateFunction.Count), new(AggregateFunction.Avg, "meta.max"), new(AggregateFunction.Count, "meta.max"),
            new(AggregateFunction.Sum, "score"), new(AggregateFunction.Max, "meta.max"), new(AggregateFunction.Min, "kind", "first_kind")], groupBy: ["kind"]));

        Assert.Equal(["kind", "count", "avg_meta_max", "count_meta_max", "sum_score", "max_meta_max", "first_kind"], answer.Columns.Select(c => c.Name));
        Assert.Equal(["click", "view"], answer.Rows.Select(r => (string)r[0]!));
        foreach (var row in answer.Rows)
        {
            var ids = Enumerable.Range(1, 14).Select(i => (long)i).Where(i => Rows[(int)i - 1][1] as string == (string)row[0]!).ToArray();
            var numbers = ids.Select(Max).OfType<decimal>().ToArray();
            Assert.Equal((long)ids.Length, row[1]);
            Assert.Equal(numbers.Average(), Convert.ToDecimal(row[2]));
            Assert.Equal((long)ids.Count(i => i <= 12 && i % 4 != 0), row[3]);
            Assert.Equal(ids.Select(i => (decimal?)Rows[(int)i - 1][2]).Sum(), Convert.ToDecimal(row[4]));
            Assert.Equal(numbers.Max(), Convert.ToDecimal(row[5]));
            Assert.Equal(row[0], row[6]);
        }
    }

    [Fact]
    public void Groups_by_member_order_by_aggregate_and_page_through_groups()
    {
        var answer = Run(Query(aggregates: [new(AggregateFunction.Count, As: "n")], groupBy: ["meta.tag"], order: [new DataOrder("n", true)]));
        Assert.Equal([("\"n\"", 6L), (null, 5L), ("\"t\"", 3L)], answer.Rows.Select(r => ((r[0] as RawJson)?.Json, (long)r[1]!)));

        var page = Run(Query(aggregates: [new(AggregateFunction.Count, As: "n")], groupBy: ["meta.tag"], order: [new DataOrder("n", true)], limit: 1, offset: 1));
        Assert.Equal((null, 5L), ((page.Rows.Single()[0] as RawJson)?.Json, (long)page.Rows.Single()[1]!));

        var none = Run(Query([new DataFilter("id", FilterOperator.Gt, "100")], aggregates: [new(AggregateFunction.Count), new(AggregateFunction.Sum, "score")]));
        Assert.Equal([0L, null], none.Rows.Single());
    }

    [Fact]
    public void Ordering_by_a_member_of_mixed_kinds_puts_numbers_first_then_text_then_nulls()
    {
        var answer = Run(Query(fields: ["id"], order: [new DataOrder("meta.max", false), new DataOrder("id", false)]));
        var ids = answer.Rows.Select(r => (long)r[0]!).ToArray();
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i).Where(i => Max(i) is not null).OrderBy(i => Max(i)), ids.Take(6));
        Assert.Equal([3L, 7L, 11L], ids.Skip(6).Take(3));
        Assert.Equal([4L, 8L, 12L, 13L, 14L], ids.Skip(9));
    }

    [Fact]
    public void The_fingerprint_names_aggregates_and_paths()
    {
        var limits = new QueryLimits();
        var a = InMemoryQueryEngine.Prepare(Query(aggregates: [new(AggregateFunction.Max, "meta.max")]), Events, limits, "v1").Read!;
        var b = InMemoryQueryEngine.Prepare(Query(aggregates: [new(AggregateFunction.Min, "meta.max")]), Events, limits, "v1").Read!;
        var c = InMemoryQueryEngine.Prepare(Query(aggregates: [new(AggregateFunction.Max, "meta.tag", "max_meta_max")]), Events, limits, "v1").Read!;
        Assert.Equal(3, new[] { a.Fingerprint, b.Fingerprint, c.Fingerprint }.Distinct().Count());
        Assert.True(a.IsAggregate);
    }
}
