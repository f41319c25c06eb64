using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Insights;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>The advice rules of <see cref="QuerySuggestions"/>, one at a time.</summary>
[Trait("Tier", "Unit")]
public sealed class QuerySuggestionTests
{
    private static readonly ColumnSchema[] Columns =
    [
        new("job_id", DataType.Integer, false, "INTEGER"),
        new("company", DataType.Text, false, "TEXT"),
        new("title", DataType.Text, false, "TEXT"),
        new("posted_date", DataType.Datetime, false, "DATETIME"),
        new("salary_range", DataType.Object, true, "OBJECT"),
    ];

    private static readonly TableSchema Jobs = new("jobs", Columns, ["jobs"], [["job_id"], ["title", "company"]]);

    private static readonly TableSchema NoIndexInformation = Jobs with { Indexes = null };

    private static DataQueryShape Shape(IReadOnlyList<DataFilter> filters, IReadOnlyList<DataOrder>? order = null, int offset = 0,
        IReadOnlyList<DataAggregate>? aggregates = null) =>
        QueryShapes.Of(new DataQuery("jobs", null, filters, order ?? [], 10, offset, aggregates), null);

    private static IReadOnlyList<DataQuerySuggestion> Advice(DataQueryShape shape, TableSchema? table, long count = 1, long hits = 0, long lookups = 0) =>
        QuerySuggestions.For(shape, count, hits, lookups, table);

    [Fact]
    public void An_equality_filter_on_a_column_no_index_leads_with_gets_a_create_index_to_consider()
    {
        var advice = Advice(Shape([new DataFilter("company", FilterOperator.Eq, "\"x\"")]), Jobs);
        var missing = Assert.Single(advice);
        Assert.Equal(DataQuerySuggestion.MissingIndex, missing.Kind);
        Assert.Equal("company", missing.Field);
        Assert.Contains("CREATE INDEX \"ix_jobs_company\" ON \"jobs\" (\"company\");", missing.Detail);
    }

    [Theory]
    [InlineData("job_id", FilterOperator.Eq)]
    [InlineData("job_id", FilterOperator.Gte)]
    [InlineData("title", FilterOperator.In)]
    public void A_filter_an_index_leads_with_gets_no_advice(string field, FilterOperator op)
    {
        Assert.Empty(Advice(Shape([new DataFilter(field, op, "1")]), Jobs));
    }

    [Fact]
    public void The_second_column_of_an_index_does_not_serve_a_filter_on_it_alone()
    {
        Assert.Equal(DataQuerySuggestion.MissingIndex, Assert.Single(Advice(Shape([new DataFilter("company", FilterOperator.Lt, "\"m\"")]), Jobs)).Kind);
    }

    [Fact]
    public void Without_index_information_no_index_is_suggested()
    {
        Assert.Empty(Advice(Shape([new DataFilter("company", FilterOperator.Eq, "\"x\"")], [new DataOrder("posted_date", false)]), NoIndexInformation));
        Assert.Empty(Advice(Shape([new DataFilter("company", FilterOperator.Eq, "\"x\"")]), null));
    }

    [Theory]
    [InlineData(FilterOperator.Contains)]
    [InlineData(FilterOperator.Ne)]
    [InlineData(FilterOperator.NotIn)]
    public void Filters_no_ordinary_index_can_serve_are_non_sargable_and_not_index_advice(FilterOperator op)
    {
        var advice = Assert.Single(Advice(Shape([new DataFilter("company", op, "\"x\"")]), Jobs));
        Assert.Equal(DataQuerySuggestion.NonSargableFilter, advice.Kind);
        Assert.Equal("company", advice.Field);
    }

    [Fact]
    public void A_filter_on_a_member_of_an_object_field_is_non_sargable()
    {
        var advice = Assert.Single(Advice(Shape([new DataFilter("salary_range.max", FilterOperator.Gte, "100000")]), Jobs));
        Assert.Equal(DataQuerySuggestion.NonSargableFilter, advice.Kind);
        Assert.Contains("salary_range", advice.Detail);
    }

    [Fact]
    public void Ordering_by_an_unindexed_column_is_index_advice_and_a_large_offset_on_it_an_unbounded_scan()
    {
        var filter = new DataFilter("job_id", FilterOperator.Gt, "1");
        var ordered = Advice(Shape([filter], [new DataOrder("posted_date", true)]), Jobs);
        Assert.Equal(DataQuerySuggestion.MissingIndex, Assert.Single(ordered).Kind);

        var paged = Advice(Shape([filter], [new DataOrder("posted_date", true)], offset: 5000), Jobs);
        Assert.Contains(paged, a => a.Kind == DataQuerySuggestion.UnboundedScan && a.Field == "posted_date");
        Assert.DoesNotContain(Advice(Shape([filter], [new DataOrder("job_id", false)], offset: 5000), Jobs), a => a.Kind == DataQuerySuggestion.UnboundedScan);
    }

    [Fact]
    public void No_filter_and_no_aggregate_is_an_unbounded_scan_but_an_aggregate_is_not()
    {
        Assert.Equal(DataQuerySuggestion.UnboundedScan, Assert.Single(Advice(Shape([]), Jobs)).Kind);
        Assert.Empty(Advice(Shape([], aggregates: [new DataAggregate(AggregateFunction.Count)]), Jobs));
    }

    [Fact]
    public void Cache_advice_needs_twenty_runs_then_says_always_or_never_cached()
    {
        var shape = Shape([new DataFilter("job_id", FilterOperator.Eq, "1")]);
        Assert.Empty(Advice(shape, Jobs, count: 19, hits: 19, lookups: 19));
        Assert.Equal(DataQuerySuggestion.AlwaysCached, Assert.Single(Advice(shape, Jobs, count: 20, hits: 18, lookups: 20)).Kind);
        Assert.Empty(Advice(shape, Jobs, count: 20, hits: 17, lookups: 20));
        Assert.Equal(DataQuerySuggestion.NeverCached, Assert.Single(Advice(shape, Jobs, count: 25, hits: 0, lookups: 25)).Kind);
        // Caching off: no hits is no news.
        Assert.Empty(Advice(shape, Jobs, count: 25, hits: 0, lookups: 0));
    }

    [Fact]
    public void Raw_sql_gets_no_advice()
    {
        Assert.Empty(Advice(QueryShapes.OfSql("SELECT * FROM jobs WHERE company = 'x'"), Jobs, count: 50));
    }

    [Fact]
    public void The_create_index_quotes_every_name_and_the_path_of_a_schema_table()
    {
        var table = new TableSchema("odd\"name", Columns, ["public", "odd\"name"], []);
        Assert.Equal("CREATE INDEX \"ix_odd_name_we_rd\" ON \"public\".\"odd\"\"name\" (\"we\"\"rd\");", QuerySuggestions.CreateIndex(table, "we\"rd"));
    }
}
