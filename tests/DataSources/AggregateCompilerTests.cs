using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>Aggregates and group_by as the compiler writes them, names them and refuses them.</summary>
[Trait("Tier", "Unit")]
public sealed class AggregateCompilerTests
{
    private static readonly TableSchema Jobs = new("jobs",
    [
        new ColumnSchema("job_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("title", DataType.Text, false, "TEXT"),
        new ColumnSchema("location", DataType.Text, false, "TEXT"),
        new ColumnSchema("salary", DataType.Decimal, true, "DECIMAL"),
        new ColumnSchema("remote", DataType.Boolean, true, "BOOLEAN"),
        new ColumnSchema("salary_range", DataType.Object, true, "OBJECT"),
        new ColumnSchema("posted_date", DataType.Datetime, false, "DATETIME"),
    ], ["jobs"]);

    private static readonly QueryLimits Limits = new();

    private static DataQuery Query(IReadOnlyList<DataAggregate>? aggregates, IReadOnlyList<string>? groupBy = null,
        IReadOnlyList<DataOrder>? order = null, IReadOnlyList<string>? fields = null, IReadOnlyList<DataFilter>? filters = null) =>
        new("jobs", fields, filters ?? [], order ?? [], 10, 20, aggregates, groupBy);

    private static CompiledQuery Compiled(DataQuery query, SqlDialect? dialect = null)
    {
        var (compiled, problem) = SqlQueryCompiler.Compile(query, Jobs, dialect ?? SqlDialect.Sqlite, Limits);
        Assert.Null(problem);
        return compiled!;
    }

    private static QueryProblem Refused(DataQuery query)
    {
        var (compiled, problem) = SqlQueryCompiler.Compile(query, Jobs, SqlDialect.Sqlite, Limits);
        Assert.Null(compiled);
        return problem!;
    }

    [Fact]
    public void Groups_then_aggregates_grouped_by_position_and_ordered_by_the_groups_when_no_order_is_named()
    {
        var compiled = Compiled(Query([new(AggregateFunction.Count), new(AggregateFunction.Avg, "salary_range.max", "avg_max")], ["location"],
            filters: [new DataFilter("title", FilterOperator.Contains, "\"engineer\"")]));

        Assert.Equal(
            "SELECT \"location\" AS \"location\", COUNT(*) AS \"count\", AVG((CASE WHEN json_valid(\"salary_range\") THEN CASE WHEN " +
            "json_type(\"salary_range\", @p0) IN ('integer', 'real') THEN json_extract(\"salary_range\", @p0) END END)) AS \"avg_max\" " +
            "FROM \"jobs\" WHERE \"title\" LIKE @p1 ESCAPE '!' GROUP BY 1 ORDER BY 1 ASC LIMIT @p2 OFFSET @p3",
            compiled.Sql);
        Assert.True(compiled.IsAggregate);
        Assert.Equal([("location", DataType.Text), ("count", DataType.Integer), ("avg_max", DataType.Decimal)],
            compiled.Columns.Select(c => (c.Name, c.Type)));
        Assert.Equal(10L, compiled.Parameters[2].Value);
        Assert.Equal(20L, compiled.Parameters[3].Value);
    }

    [Fact]
    public void Default_names_and_types_follow_the_function_and_the_field()
    {
        var compiled = Compiled(Query([
            new(AggregateFunction.Count, "salary"),
            new(AggregateFunction.Sum, "job_id"),
            new(AggregateFunction.Sum, "salary"),
            new(AggregateFunction.Avg, "job_id"),
            new(AggregateFunction.Min, "posted_date"),
            new(AggregateFunction.Max, "title"),
            new(AggregateFunction.Sum, "salary_range.max"),
        ]));
        Assert.Equal(
            [("count_salary", DataType.Integer), ("sum_job_id", DataType.Integer), ("sum_salary", DataType.Decimal), ("avg_job_id", DataType.Decimal),
             ("min_posted_date", DataType.Datetime), ("max_title", DataType.Text), ("sum_salary_range_max", DataType.Decimal)],
            compiled.Columns.Select(c => (c.Name, c.Type)));
        Assert.StartsWith("SELECT COUNT(\"salary\") AS \"count_salary\", SUM(\"job_id\") AS \"sum_job_id\"", compiled.Sql);
        Assert.DoesNotContain("GROUP BY", compiled.Sql);
        Assert.DoesNotContain("ORDER BY", compiled.Sql);
    }

    [Fact]
    public void Order_by_names_a_group_field_or_an_aggregate_by_position()
    {
        var compiled = Compiled(Query([new(AggregateFunction.Count, As: "jobs")], ["location", "title"], [new DataOrder("jobs", true), new DataOrder("title", false)]));
        Assert.Contains("GROUP BY 1, 2 ORDER BY 3 DESC, 2 ASC", compiled.Sql);
        var problem = Refused(Query([new(AggregateFunction.Count)], ["location"], [new DataOrder("salary", false)]));
        Assert.Equal("order_by", problem.Field);
        Assert.Contains("location, count", problem.Detail);
    }

    [Fact]
    public void Group_by_alone_gives_the_distinct_groups_and_a_member_groups_by_its_json_value()
    {
        var compiled = Compiled(Query(null, ["salary_range.currency"]));
        Assert.Equal(
            "SELECT (CASE WHEN json_valid(\"salary_range\") THEN json_quote(json_extract(\"salary_range\", @p0)) END) AS \"salary_range.currency\" " +
            "FROM \"jobs\" GROUP BY 1 ORDER BY 1 ASC LIMIT @p1 OFFSET @p2", compiled.Sql);
        Assert.Equal(DataType.Json, compiled.Columns[0].Type);
    }

    [Theory]
    [InlineData("sum", "title", "aggregates[0].field", "needs a number")]
    [InlineData("avg", "salary_range", "aggregates[0].field", "needs a number")]
    [InlineData("min", "remote", "aggregates[0].field", "numbers, text and dates")]
    [InlineData("max", "salary_range", "aggregates[0].field", "numbers, text and dates")]
    [InlineData("sum", null, "aggregates[0].field", "needs a field")]
    [InlineData("avg", "nothing", "aggregates[0].field", "Unknown field 'nothing'")]
    public void Aggregates_a_field_cannot_take_are_refused(string fn, string? field, string where, string detail)
    {
        var function = Enum.Parse<AggregateFunction>(fn, ignoreCase: true);
        var problem = Refused(Query([new(function, field)]));
        Assert.Equal(where, problem.Field);
        Assert.Contains(detail, problem.Detail);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("1st")]
    [InlineData("x\"; DROP TABLE jobs; --")]
    [InlineData("n_234567890123456789012345678901234567890123456789012345678901234")]
    public void Names_must_be_plain_identifiers_of_at_most_64(string name)
    {
        var problem = Refused(Query([new(AggregateFunction.Count, As: name)]));
        Assert.Equal("aggregates[0].as", problem.Field);
    }

    [Fact]
    public void Names_must_be_unique_and_limits_hold()
    {
        Assert.Equal("aggregates[1]", Refused(Query([new(AggregateFunction.Count), new(AggregateFunction.Count, As: "count")])).Field);
        Assert.Equal("aggregates[0]", Refused(Query([new(AggregateFunction.Count, As: "location")], ["location"])).Field);
        Assert.Equal("aggregates", Refused(Query([.. Enumerable.Range(0, 9).Select(i => new DataAggregate(AggregateFunction.Count, As: $"c{i}"))])).Field);
        Assert.Equal("group_by", Refused(Query([new(AggregateFunction.Count)], ["job_id", "title", "location", "salary", "remote"])).Field);
        Assert.Equal("group_by", Refused(Query([new(AggregateFunction.Count)], ["location", "location"])).Field);
        Assert.Equal("group_by", Refused(Query([new(AggregateFunction.Count)], ["salary_range"])).Field);
        Compiled(Query([.. Enumerable.Range(0, 8).Select(i => new DataAggregate(AggregateFunction.Count, As: $"c{i}"))], ["job_id", "title", "location", "salary"]));
    }

    [Fact]
    public void Fields_with_aggregates_may_only_repeat_group_by()
    {
        Compiled(Query([new(AggregateFunction.Count)], ["location"], fields: ["location"]));
        var problem = Refused(Query([new(AggregateFunction.Count)], ["location"], fields: ["location", "title"]));
        Assert.Equal("fields", problem.Field);
        Assert.Contains("'title' is not in group_by", problem.Detail);
    }

    [Fact]
    public void Snowflake_writes_aggregates_with_positional_parameters_and_literal_paging()
    {
        var compiled = Compiled(Query([new(AggregateFunction.Max, "salary", "top")], ["location"], filters: [new DataFilter("title", FilterOperator.Eq, "\"x\"")]),
            SqlDialect.Snowflake);
        Assert.Equal("SELECT \"location\" AS \"location\", MAX(\"salary\") AS \"top\" FROM \"jobs\" WHERE \"title\" = ? GROUP BY 1 ORDER BY 1 ASC LIMIT 10 OFFSET 20",
            compiled.Sql);
    }

    [Fact]
    public void The_cache_fingerprint_includes_the_aggregates()
    {
        var count = CompiledRead.Compile(Query([new(AggregateFunction.Count)], ["location"]), Jobs, SqlDialect.Sqlite, Limits).Read!;
        var max = CompiledRead.Compile(Query([new(AggregateFunction.Max, "salary", "count")], ["location"]), Jobs, SqlDialect.Sqlite, Limits).Read!;
        var rows = CompiledRead.Compile(Query(null) with { Fields = ["location"] }, Jobs, SqlDialect.Sqlite, Limits).Read!;
        Assert.Equal(3, new[] { count.Fingerprint, max.Fingerprint, rows.Fingerprint }.Distinct().Count());
        Assert.True(count.IsAggregate);
        Assert.False(rows.IsAggregate);
    }
}
