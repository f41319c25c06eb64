using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// Member paths into object and JSON fields (<c>salary_range.max</c>) as each dialect compiles them: the path is always a
/// bound value, a member's type guards every typed read, and hostile or malformed paths are refused before any SQL exists.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class MemberPathCompilerTests
{
    private static readonly TableSchema Jobs = new("jobs",
    [
        new ColumnSchema("job_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("title", DataType.Text, false, "TEXT"),
        new ColumnSchema("location", DataType.Text, false, "TEXT"),
        new ColumnSchema("salary_range", DataType.Object, true, "OBJECT"),
        new ColumnSchema("requirements", DataType.Array, false, "ARRAY"),
        new ColumnSchema("a.b", DataType.Text, true, "TEXT"),
    ], ["jobs"]);

    private static readonly TableSchema PgJobs = new("jobs",
    [
        new ColumnSchema("job_id", DataType.Integer, false, "integer"),
        new ColumnSchema("salary_range", DataType.Json, true, "jsonb"),
        new ColumnSchema("extra", DataType.Json, true, "hstore"),
    ], ["public", "jobs"]);

    private static readonly QueryLimits Limits = new();

    private static DataQuery Query(IReadOnlyList<string>? fields = null, IReadOnlyList<DataFilter>? filters = null, IReadOnlyList<DataOrder>? order = null) =>
        new("jobs", fields, filters ?? [], order ?? [], 10, 0);

    private static CompiledQuery Compiled(DataQuery query, SqlDialect dialect, TableSchema? table = null)
    {
        var (compiled, problem) = SqlQueryCompiler.Compile(query, table ?? Jobs, dialect, Limits);
        Assert.Null(problem);
        return compiled!;
    }

    private static QueryProblem Refused(DataQuery query, SqlDialect? dialect = null, TableSchema? table = null)
    {
        var (compiled, problem) = SqlQueryCompiler.Compile(query, table ?? Jobs, dialect ?? SqlDialect.Sqlite, Limits);
        Assert.Null(compiled);
        return problem!;
    }

    [Fact]
    public void Sqlite_reads_a_member_with_a_bound_path_guarded_by_json_valid_and_json_type()
    {
        var compiled = Compiled(Query(["title", "salary_range.max"], [new DataFilter("salary_range.max", FilterOperator.Gt, "150000")],
            [new DataOrder("salary_range.max", true)]), SqlDialect.Sqlite);

        Assert.Equal(
            "SELECT \"title\", (CASE WHEN json_valid(\"salary_range\") THEN json_quote(json_extract(\"salary_range\", @p0)) END) AS \"salary_range.max\" " +
            "FROM \"jobs\" WHERE (CASE WHEN json_valid(\"salary_range\") THEN CASE WHEN json_type(\"salary_range\", @p1) IN ('integer', 'real') " +
            "THEN json_extract(\"salary_range\", @p1) END END) > @p2 " +
            "ORDER BY (CASE WHEN json_valid(\"salary_range\") THEN json_extract(\"salary_range\", @p3) END) DESC LIMIT @p4 OFFSET @p5",
            compiled.Sql);
        Assert.Equal("$.\"max\"", compiled.Parameters[0].Value);
        Assert.Equal(150000L, compiled.Parameters[2].Value);
        Assert.Equal(["title", "salary_range.max"], compiled.Columns.Select(c => c.Name));
        Assert.Equal(DataType.Json, compiled.Columns[1].Type);
    }

    [Fact]
    public void Postgres_binds_the_path_as_text_array_and_casts_only_members_of_the_right_type()
    {
        var compiled = Compiled(Query(["job_id"], [
            new DataFilter("salary_range.max", FilterOperator.Gte, "100000.5"),
            new DataFilter("salary_range.currency", FilterOperator.Eq, "\"USD\""),
            new DataFilter("salary_range.remote", FilterOperator.Eq, "true"),
        ]), SqlDialect.Postgres, PgJobs);

        Assert.Equal(
            "SELECT \"job_id\" FROM \"public\".\"jobs\" WHERE " +
            "(CASE WHEN jsonb_typeof(CAST(\"salary_range\" AS jsonb) #> @p0) = 'number' THEN CAST((CAST(\"salary_range\" AS jsonb) #>> @p0) AS numeric) END) >= @p1 " +
            "AND (CASE WHEN jsonb_typeof(CAST(\"salary_range\" AS jsonb) #> @p2) = 'string' THEN (CAST(\"salary_range\" AS jsonb) #>> @p2) END) = @p3 " +
            "AND (CASE WHEN jsonb_typeof(CAST(\"salary_range\" AS jsonb) #> @p4) = 'boolean' THEN CAST((CAST(\"salary_range\" AS jsonb) #>> @p4) AS boolean) END) = @p5 " +
            "LIMIT @p6 OFFSET @p7",
            compiled.Sql);
        Assert.Equal(new[] { "max" }, (string[])compiled.Parameters[0].Value);
        Assert.Equal(100000.5, compiled.Parameters[1].Value);
        Assert.Equal("USD", compiled.Parameters[3].Value);
        Assert.Equal(true, compiled.Parameters[5].Value);
    }

    [Theory]
    [InlineData("salary_range.a'); DROP TABLE jobs; --")]
    [InlineData("salary_range.a\"b")]
    [InlineData("salary_range.a..b")]
    [InlineData("salary_range.")]
    [InlineData("salary_range.a.b.c.d.e")]
    [InlineData("salary_range.a b")]
    [InlineData("salary_range.$")]
    [InlineData("salary_range.mäx")]
    public void Hostile_or_malformed_paths_are_refused_before_any_sql(string field)
    {
        foreach (var where in new[] { "fields", "filters", "order_by" })
        {
            var query = where switch
            {
                "fields" => Query([field]),
                "filters" => Query(filters: [new DataFilter(field, FilterOperator.Eq, "1")]),
                _ => Query(order: [new DataOrder(field, false)]),
            };
            var problem = Refused(query);
            Assert.Equal(where, problem.Field);
            Assert.DoesNotContain("DROP", problem.Detail.Replace(field, "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Members_of_up_to_64_characters_and_4_deep_are_the_limit()
    {
        var deepest = "salary_range." + string.Join('.', Enumerable.Repeat(new string('m', 64), 4));
        Compiled(Query([deepest]), SqlDialect.Sqlite);
        Assert.Contains("1 to 64", Refused(Query(["salary_range." + new string('m', 65)])).Detail);
        Assert.Contains("at most 4", Refused(Query(["salary_range.a.b.c.d.e"])).Detail);
    }

    [Fact]
    public void A_column_whose_name_has_a_dot_is_found_before_any_member_path()
    {
        var compiled = Compiled(Query(["a.b"]), SqlDialect.Sqlite);
        Assert.Equal("SELECT \"a.b\" FROM \"jobs\" LIMIT @p0 OFFSET @p1", compiled.Sql);
    }

    [Fact]
    public void Only_object_and_json_fields_have_members_and_only_where_the_source_can_read_them()
    {
        Assert.Contains("only object and JSON fields have members", Refused(Query(["title.x"])).Detail);
        Assert.Contains("only object and JSON fields have members", Refused(Query(["requirements.x"])).Detail);
        Assert.Contains("Unknown field 'nothing.x'", Refused(Query(["nothing.x"])).Detail);
        Assert.Contains("does not support member paths", Refused(Query(["salary_range.max"]), SqlDialect.Snowflake).Detail);
        // A PostgreSQL type the discovery maps to json but that is not JSON cannot be navigated.
        Assert.Contains("does not support member paths", Refused(Query(["extra.x"]), SqlDialect.Postgres, PgJobs).Detail);
    }

    [Fact]
    public void Member_comparisons_follow_the_value_and_refuse_what_a_member_cannot_be_compared_with()
    {
        Assert.Contains("is_null", Refused(Query(filters: [new DataFilter("salary_range.max", FilterOperator.Eq, "null")])).Detail);
        Assert.Contains("a number, a string or a boolean", Refused(Query(filters: [new DataFilter("salary_range.max", FilterOperator.Eq, "{}")])).Detail);
        Assert.Contains("does not apply to a boolean", Refused(Query(filters: [new DataFilter("salary_range.max", FilterOperator.Gt, "true")])).Detail);
        Assert.Contains("takes a string", Refused(Query(filters: [new DataFilter("salary_range.currency", FilterOperator.Contains, "5")])).Detail);
        Assert.Contains("one kind", Refused(Query(filters: [new DataFilter("salary_range.max", FilterOperator.In, "[1, \"a\"]")])).Detail);

        var compiled = Compiled(Query(filters: [
            new DataFilter("salary_range.currency", FilterOperator.StartsWith, "\"us\""),
            new DataFilter("salary_range.max", FilterOperator.NotIn, "[1, 2]"),
            new DataFilter("salary_range.bonus", FilterOperator.IsNull, "true"),
        ]), SqlDialect.Sqlite);
        Assert.Contains("json_type(\"salary_range\", @p0) = 'text'", compiled.Sql);
        Assert.Contains("LIKE @p1 ESCAPE '!'", compiled.Sql);
        Assert.Contains("IN ('integer', 'real') THEN json_extract(\"salary_range\", @p2) END END) NOT IN (@p3, @p4)", compiled.Sql);
        Assert.Contains("THEN json_extract(\"salary_range\", @p5) END) IS NULL", compiled.Sql);
        Assert.Equal("us%", compiled.Parameters[1].Value);
    }

    [Fact]
    public void No_value_or_member_name_from_the_request_is_ever_in_the_statement()
    {
        var marker = "zq9marker";
        var compiled = Compiled(Query([$"salary_range.{marker}"], [
            new DataFilter($"salary_range.{marker}", FilterOperator.Eq, $"\"{marker}'; DROP TABLE jobs; --\""),
            new DataFilter($"salary_range.{marker}", FilterOperator.Contains, $"\"{marker}\""),
        ]), SqlDialect.Sqlite);
        // Only the output column's quoted alias names it (an identifier checked to be letters, digits and '_').
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(compiled.Sql, marker));
        Assert.Contains($"AS \"salary_range.{marker}\"", compiled.Sql);
        Assert.DoesNotContain("DROP", compiled.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fingerprint_names_the_path_so_two_members_never_share_a_cache_entry()
    {
        var (c, _) = Mcp.Cluster.DataSources.Connectors.CompiledRead.Compile(
            Query(filters: [new DataFilter("salary_range.min", FilterOperator.Eq, "1")]), PgJobs, SqlDialect.Postgres, Limits);
        var (d, _) = Mcp.Cluster.DataSources.Connectors.CompiledRead.Compile(
            Query(filters: [new DataFilter("salary_range.max", FilterOperator.Eq, "1")]), PgJobs, SqlDialect.Postgres, Limits);
        Assert.Equal(c!.Fingerprint.Split('\n')[1], d!.Fingerprint.Split('\n')[1]);
        Assert.NotEqual(c.Fingerprint, d.Fingerprint);
        Assert.Contains("=min", c.Fingerprint);
    }
}
