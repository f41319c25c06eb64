using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.Tests.DataSources;

[Trait("Tier", "Unit")]
public sealed class SqlQueryCompilerTests
{
    internal static readonly TableSchema Jobs = new("jobs",
    [
        new ColumnSchema("job_id", DataType.Integer, false, "integer"),
        new ColumnSchema("title", DataType.Text, false, "text"),
        new ColumnSchema("company", DataType.Text, false, "text"),
        new ColumnSchema("location", DataType.Text, true, "text"),
        new ColumnSchema("salary_min", DataType.Decimal, true, "numeric"),
        new ColumnSchema("remote", DataType.Boolean, false, "boolean"),
        new ColumnSchema("posted_date", DataType.Date, false, "date"),
        new ColumnSchema("updated_at", DataType.Datetime, false, "timestamptz"),
        new ColumnSchema("requirements", DataType.Json, true, "jsonb"),
    ], ["public", "jobs"]);

    private static readonly QueryLimits Limits = new();

    internal static DataQuery Query(IReadOnlyList<string>? fields = null, IReadOnlyList<DataFilter>? filters = null,
        IReadOnlyList<DataOrder>? order = null, int? limit = null, int offset = 0) =>
        new("jobs", fields, filters ?? [], order ?? [], limit, offset);

    internal static DataFilter Filter(string field, FilterOperator op, string json) => new(field, op, json);

    private static CompiledQuery Compiled(DataQuery query, SqlDialect? dialect = null)
    {
        var (compiled, problem) = SqlQueryCompiler.Compile(query, Jobs, dialect ?? SqlDialect.Postgres, Limits);
        Assert.Null(problem);
        return compiled!;
    }

    private static QueryProblem Refused(DataQuery query)
    {
        var (compiled, problem) = SqlQueryCompiler.Compile(query, Jobs, SqlDialect.Postgres, Limits);
        Assert.Null(compiled);
        return problem!;
    }

    [Fact]
    public void A_full_query_becomes_quoted_identifiers_and_typed_parameters()
    {
        var compiled = Compiled(Query(["title", "company"],
            [
                Filter("location", FilterOperator.In, """["Austin", "Denver"]"""),
                Filter("salary_min", FilterOperator.Gte, "120000.50"),
                Filter("posted_date", FilterOperator.Gt, "\"2026-01-31\""),
                Filter("title", FilterOperator.Contains, "\"engineer\""),
                Filter("requirements", FilterOperator.IsNull, "false"),
            ],
            [new DataOrder("posted_date", true), new DataOrder("job_id", false)], limit: 20, offset: 40));

        Assert.Equal(
            "SELECT \"title\", \"company\" FROM \"public\".\"jobs\" WHERE \"location\" IN (@p0, @p1) AND \"salary_min\" >= @p2 " +
            "AND \"posted_date\" > @p3 AND \"title\" ILIKE @p4 ESCAPE '!' AND \"requirements\" IS NOT NULL " +
            "ORDER BY \"posted_date\" DESC, \"job_id\" ASC LIMIT @p5 OFFSET @p6",
            compiled.Sql);
        Assert.Equal<object>(["Austin", "Denver", 120000.50m, new DateOnly(2026, 1, 31), "%engineer%", 20L, 40L],
            compiled.Parameters.Select(p => p.Value).ToArray());
        Assert.Equal(["p0", "p1", "p2", "p3", "p4", "p5", "p6"], compiled.Parameters.Select(p => p.Name));
        Assert.Equal(["title", "company"], compiled.Columns.Select(c => c.Name));
    }

    [Fact]
    public void Snowflake_binds_by_position_and_sqlite_uses_like()
    {
        var snowflake = Compiled(Query(filters: [Filter("title", FilterOperator.StartsWith, "\"Sen\""), Filter("job_id", FilterOperator.Ne, "7")]), SqlDialect.Snowflake);
        Assert.EndsWith("WHERE \"title\" ILIKE ? ESCAPE '!' AND \"job_id\" <> ? LIMIT 100 OFFSET 0", snowflake.Sql);
        Assert.Equal(["1", "2"], snowflake.Parameters.Select(p => p.Name));
        Assert.Equal<object>(["Sen%", 7L], snowflake.Parameters.Select(p => p.Value).ToArray());

        var sqlite = Compiled(Query(filters: [Filter("title", FilterOperator.Contains, "\"dev\"")]), SqlDialect.Sqlite);
        Assert.Contains("\"title\" LIKE @p0 ESCAPE '!'", sqlite.Sql);
    }

    [Fact]
    public void Pattern_wildcards_in_a_value_match_themselves()
    {
        var compiled = Compiled(Query(filters: [Filter("title", FilterOperator.Contains, "\"50%_off!\"")]));
        Assert.Equal("%50!%!_off!!%", compiled.Parameters[0].Value);
    }

    [Fact]
    public void A_timestamp_is_bound_in_utc()
    {
        var compiled = Compiled(Query(filters: [Filter("updated_at", FilterOperator.Lt, "\"2026-03-01T12:00:00+02:00\"")]));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), compiled.Parameters[0].Value);
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)compiled.Parameters[0].Value).Offset);
    }

    public static TheoryData<string> Injections => new()
    {
        "title; DROP TABLE jobs",
        "title\" FROM jobs; --",
        "\"title\"",
        "title) OR (1=1",
        "TITLE",
        "*",
        "",
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public void A_name_not_in_the_schema_is_refused_wherever_it_appears(string name)
    {
        Assert.Equal("fields", Refused(Query([name])).Field);
        Assert.Equal("filters", Refused(Query(filters: [Filter(name, FilterOperator.Eq, "\"x\"")])).Field);
        Assert.Equal("order_by", Refused(Query(order: [new DataOrder(name, false)])).Field);
        Assert.StartsWith("Unknown field", Refused(Query([name])).Detail);
    }

    [Theory]
    [InlineData("'; DROP TABLE jobs; --")]
    [InlineData("x' OR '1'='1")]
    [InlineData("\" OR \"\"=\"")]
    [InlineData("@p0")]
    [InlineData("?")]
    public void A_hostile_value_is_a_parameter_and_never_part_of_the_sql(string value)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(value);
        foreach (var op in new[] { FilterOperator.Eq, FilterOperator.Contains, FilterOperator.In })
        {
            DataQuery With(string valueJson) => Query(filters: [Filter("title", op, op == FilterOperator.In ? $"[{valueJson}]" : valueJson)]);
            var hostile = Compiled(With(json));
            // The SQL text is exactly that of a harmless value; the value travels only as a parameter.
            Assert.Equal(Compiled(With("\"x\"")).Sql, hostile.Sql);
            var bound = (string)hostile.Parameters[0].Value;
            Assert.Equal(op == FilterOperator.Contains ? "%" + value.Replace("%", "!%") + "%" : value, bound);
        }
    }

    [Theory]
    [InlineData("job_id", FilterOperator.Eq, "\"7\"", "is an integer; a string")]
    [InlineData("job_id", FilterOperator.Eq, "7.5", "is an integer; a number")]
    [InlineData("salary_min", FilterOperator.Gte, "\"lots\"", "is a number; a string")]
    [InlineData("posted_date", FilterOperator.Eq, "\"31/01/2026\"", "a date (yyyy-MM-dd")]
    [InlineData("updated_at", FilterOperator.Eq, "\"yesterday\"", "a datetime")]
    [InlineData("title", FilterOperator.Eq, "null", "is_null")]
    [InlineData("title", FilterOperator.Eq, "{\"$ne\": 1}", "an object does not match")]
    [InlineData("remote", FilterOperator.Lt, "true", "does not apply to a boolean")]
    [InlineData("job_id", FilterOperator.Contains, "\"1\"", "applies to text")]
    [InlineData("requirements", FilterOperator.Eq, "\"python\"", "can only be filtered with is_null")]
    [InlineData("title", FilterOperator.In, "[]", "an array of 1 to")]
    [InlineData("title", FilterOperator.In, "\"a\"", "an array of 1 to")]
    [InlineData("title", FilterOperator.In, "[\"a\", 1]", "a number does not match")]
    [InlineData("title", FilterOperator.IsNull, "\"yes\"", "true or false")]
    [InlineData("title", FilterOperator.Eq, "{not json", "not valid JSON")]
    public void A_value_of_the_wrong_type_is_refused_naming_the_filter(string field, FilterOperator op, string json, string expected)
    {
        var problem = Refused(Query(filters: [Filter(field, op, json)]));
        Assert.Equal($"filters.{field}", problem.Field);
        Assert.Contains(expected, problem.Detail);
    }

    [Fact]
    public void Every_limit_is_enforced()
    {
        Assert.Equal("limit", Refused(Query(limit: 0)).Field);
        Assert.Equal("limit", Refused(Query(limit: Limits.MaxLimit + 1)).Field);
        Assert.Equal(Limits.MaxLimit, Compiled(Query(limit: Limits.MaxLimit)).Limit);
        Assert.Equal("offset", Refused(Query(offset: -1)).Field);
        Assert.Equal("offset", Refused(Query(offset: Limits.MaxOffset + 1)).Field);
        Assert.Equal("filters", Refused(Query(filters: Enumerable.Repeat(Filter("job_id", FilterOperator.Eq, "1"), Limits.MaxFilters + 1).ToList())).Field);
        var many = "[" + string.Join(",", Enumerable.Range(0, Limits.MaxInValues + 1)) + "]";
        Assert.Contains("an array of 1 to", Refused(Query(filters: [Filter("job_id", FilterOperator.In, many)])).Detail);
        var longText = System.Text.Json.JsonSerializer.Serialize(new string('a', Limits.MaxValueLength + 1));
        Assert.Contains("limited to", Refused(Query(filters: [Filter("title", FilterOperator.Eq, longText)])).Detail);
        Assert.Equal("fields", Refused(Query(["title", "title"])).Field);
        Assert.Equal("order_by", Refused(Query(order: [new DataOrder("requirements", false)])).Field);
    }

    [Fact]
    public void No_fields_selects_every_column_in_schema_order()
    {
        var compiled = Compiled(Query());
        Assert.Equal(Jobs.Columns.Select(c => c.Name), compiled.Columns.Select(c => c.Name));
        Assert.Equal(100, compiled.Limit);
    }
}
