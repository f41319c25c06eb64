using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Insights;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>Query shapes keep everything about a read but its values, for structured queries and raw SQL alike.</summary>
[Trait("Tier", "Unit")]
public sealed class QueryShapeInsightTests
{
    private static DataQuery Query(params DataFilter[] filters) =>
        new("jobs", ["title", "company"], filters, [new DataOrder("posted_date", true)], 10, 0);

    [Fact]
    public void A_structured_shape_keeps_fields_and_operators_and_never_a_value()
    {
        var shape = QueryShapes.Of(Query(
            new DataFilter("company", FilterOperator.Eq, "\"Secret Corp 4711\""),
            new DataFilter("title", FilterOperator.Contains, "\"hunter2\"")), null);

        Assert.StartsWith("qs_", shape.Id);
        Assert.Equal("jobs", shape.Table);
        Assert.Equal([new DataShapeFilter("company", FilterOperator.Eq), new DataShapeFilter("title", FilterOperator.Contains)], shape.Filters);
        Assert.Equal("SELECT 2 fields FROM jobs WHERE company = ? AND title CONTAINS ? ORDER BY posted_date DESC LIMIT ?", shape.Statement);
        Assert.True(shape.HasLimit);
        Assert.Equal(2, shape.FieldCount);
        var everything = string.Join("|", shape.Id, shape.Statement, string.Join(",", shape.Filters));
        Assert.DoesNotContain("Secret", everything);
        Assert.DoesNotContain("4711", everything);
        Assert.DoesNotContain("hunter2", everything);
    }

    [Fact]
    public void Values_and_the_order_of_filters_do_not_change_the_shape_but_operators_and_order_do()
    {
        var a = QueryShapes.Of(Query(new DataFilter("company", FilterOperator.Eq, "\"A\""), new DataFilter("location", FilterOperator.Eq, "\"Austin\"")), null);
        var b = QueryShapes.Of(Query(new DataFilter("location", FilterOperator.Eq, "\"Boston\""), new DataFilter("company", FilterOperator.Eq, "\"B\"")), null);
        var c = QueryShapes.Of(Query(new DataFilter("company", FilterOperator.Ne, "\"A\""), new DataFilter("location", FilterOperator.Eq, "\"Austin\"")), null);
        var d = QueryShapes.Of(Query(new DataFilter("company", FilterOperator.Eq, "\"A\""), new DataFilter("location", FilterOperator.Eq, "\"Austin\"")) with
        {
            OrderBy = [new DataOrder("posted_date", false)],
        }, null);

        Assert.Equal(a.Id, b.Id);
        Assert.NotEqual(a.Id, c.Id);
        Assert.NotEqual(a.Id, d.Id);
    }

    [Fact]
    public void The_table_chosen_by_the_source_names_a_query_without_one_and_aggregates_and_large_offsets_show()
    {
        var query = new DataQuery(null, null, [], [], null, 5000, [new DataAggregate(AggregateFunction.Avg, "salary_range.max")], ["location"]);
        var shape = QueryShapes.Of(query, "jobs");
        Assert.Equal("jobs", shape.Table);
        Assert.True(shape.HasAggregates);
        Assert.True(shape.HasGroupBy);
        Assert.True(shape.LargeOffset);
        Assert.False(shape.HasLimit);
        Assert.Equal("SELECT location, avg(salary_range.max) FROM jobs GROUP BY location OFFSET ? (>= 1000)", shape.Statement);
        Assert.Equal(shape.Id, QueryShapes.Of(query with { Offset = 1234 }, "jobs").Id);
    }

    [Theory]
    [InlineData("SELECT * FROM jobs WHERE company = 'Globex' AND job_id > 42", "SELECT * FROM jobs WHERE company = ? AND job_id > ?")]
    [InlineData("select  *\n\tfrom jobs   where id=7", "select * from jobs where id = ?")]
    [InlineData("SELECT * FROM jobs WHERE id IN (1, 2, 3, 4)", "SELECT * FROM jobs WHERE id IN(?)")]
    [InlineData("SELECT * FROM jobs WHERE title = 'it''s' -- the 'secret'\nLIMIT 5", "SELECT * FROM jobs WHERE title = ? LIMIT ?")]
    [InlineData("SELECT /* token 'abc' */ 1.5e+10, 0xFF, x'DEADBEEF'", "SELECT ?")]
    [InlineData("SELECT $$ secret $$, $tag$ more 'secret' $tag$, E'a\\'secret'", "SELECT ?")]
    [InlineData("SELECT \"company\", count(*) FROM \"jobs\" GROUP BY 1", "SELECT \"company\", count(*) FROM \"jobs\" GROUP BY ?")]
    [InlineData("SELECT * FROM t WHERE a = $1 AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = ?")]
    public void Raw_sql_keeps_its_structure_and_loses_its_literals(string sql, string normalized)
    {
        Assert.Equal(normalized, SqlShapeNormalizer.Normalize(sql));
    }

    [Theory]
    [InlineData("SELECT 'unterminated secret")]
    [InlineData("SELECT /* never closed secret")]
    [InlineData("SELECT $q$ never closed secret")]
    [InlineData("SELECT E'secret\\' and more secret")]
    [InlineData("SELECT * FROM jobs WHERE a = 'x' /* nested /* secret */ still secret */")]
    [InlineData("SELECT 'a' || 'secret' || 'b'")]
    [InlineData("SELECT N'secret', B'0101', 12secret")]
    public void Hostile_statements_never_leak_a_literal(string sql)
    {
        var shape = QueryShapes.OfSql(sql);
        Assert.DoesNotContain("secret", shape.Statement, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(DataQueryShape.SqlKind, shape.Kind);
    }

    [Fact]
    public void Statements_that_differ_only_in_values_share_a_shape_and_long_ones_are_capped()
    {
        Assert.Equal(QueryShapes.OfSql("SELECT * FROM jobs WHERE company = 'A' AND id IN (1,2)").Id,
            QueryShapes.OfSql("SELECT *  FROM jobs WHERE company='Bee' AND id IN (3, 4, 5)").Id);
        Assert.NotEqual(QueryShapes.OfSql("SELECT * FROM jobs").Id, QueryShapes.OfSql("SELECT * FROM builders").Id);

        var longSql = "SELECT " + string.Join(", ", Enumerable.Range(0, 2000).Select(i => $"column_{i}")) + " FROM jobs";
        var shape = QueryShapes.OfSql(longSql);
        Assert.Equal(SqlShapeNormalizer.MaxLength, shape.Statement.Length);
        Assert.NotEqual(shape.Id, QueryShapes.OfSql(longSql + " WHERE x = 1").Id);
    }

    [Fact]
    public void The_p95_estimate_is_the_bound_of_the_bucket_it_falls_in_and_at_most_the_slowest_read()
    {
        var histogram = new long[LatencyHistogram.Buckets];
        for (var i = 0; i < 94; i++) histogram[LatencyHistogram.Bucket(3)]++;
        for (var i = 0; i < 6; i++) histogram[LatencyHistogram.Bucket(150)]++;
        Assert.Equal(200, LatencyHistogram.P95(histogram, 250));
        Assert.Equal(180, LatencyHistogram.P95(histogram, 180));
        histogram[LatencyHistogram.Bucket(3)] = 96;
        histogram[LatencyHistogram.Bucket(150)] = 4;
        Assert.Equal(5, LatencyHistogram.P95(histogram, 180));
        Assert.Equal(0, LatencyHistogram.P95(new long[LatencyHistogram.Buckets], 0));
        var slow = new long[LatencyHistogram.Buckets];
        slow[^1] = 3;
        Assert.Equal(90_000, LatencyHistogram.P95(slow, 90_000));
    }
}
