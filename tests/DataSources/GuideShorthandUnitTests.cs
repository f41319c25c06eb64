using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.DataSources.Query;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// The pieces of the user guide's query shorthand, with a fixed clock: periods (<c>last_6m</c>), their expansion into
/// ranges on date and datetime fields, the table a query without one reads, and masks on structured values.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class GuideShorthandUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 8, 31, 14, 37, 25, TimeSpan.Zero);

    private static readonly TableSchema Jobs = new("jobs",
    [
        new ColumnSchema("job_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("title", DataType.Text, false, "TEXT"),
        new ColumnSchema("salary_range", DataType.Object, true, "OBJECT"),
        new ColumnSchema("requirements", DataType.Array, false, "ARRAY"),
        new ColumnSchema("posted_date", DataType.Datetime, false, "DATETIME"),
        new ColumnSchema("closing_day", DataType.Date, true, "DATE"),
    ], ["jobs"]);

    private static readonly TableSchema Builders = new("builders",
    [
        new ColumnSchema("builder_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("name", DataType.Text, false, "TEXT"),
        new ColumnSchema("contact_email", DataType.Text, false, "TEXT"),
    ], ["builders"]);

    private static readonly TableSchema Properties = new("properties",
    [
        new ColumnSchema("property_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("builder_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("construction_status", DataType.Text, false, "TEXT"),
    ], ["MARKET_ANALYTICS", "properties"]);

    private static DataFilter Eq(string field, string json) => new(field, FilterOperator.Eq, json);

    [Theory]
    [InlineData("last_3m", 3, 'm')]
    [InlineData("last_6m", 6, 'm')]
    [InlineData("last_1y", 1, 'y')]
    [InlineData("last_30d", 30, 'd')]
    [InlineData("last_12m", 12, 'm')]
    [InlineData("last_2w", 2, 'w')]
    [InlineData("last_100y", 100, 'y')]
    public void The_guides_periods_parse(string text, int count, char unit)
    {
        Assert.True(RelativePeriod.TryParse(text, out var period));
        Assert.Equal(new RelativePeriod(count, unit), period);
    }

    [Theory]
    [InlineData("last_0m")]
    [InlineData("last_6")]
    [InlineData("last_m")]
    [InlineData("last_6x")]
    [InlineData("last_-6m")]
    [InlineData("last_ 6m")]
    [InlineData("last_101y")]
    [InlineData("last_99999d")]
    [InlineData("last_1000000m")]
    [InlineData("6m")]
    [InlineData("LAST_6M")]
    public void Anything_else_is_no_period(string text) => Assert.False(RelativePeriod.TryParse(text, out _));

    [Fact]
    public void Periods_count_back_calendar_months_and_years()
    {
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 14, 37, 25, TimeSpan.Zero), new RelativePeriod(6, 'm').StartBefore(Now));
        Assert.Equal(new DateTimeOffset(2025, 8, 31, 14, 37, 25, TimeSpan.Zero), new RelativePeriod(1, 'y').StartBefore(Now));
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 14, 37, 25, TimeSpan.Zero), new RelativePeriod(30, 'd').StartBefore(Now));
        Assert.Equal(new DateTimeOffset(2026, 8, 17, 14, 37, 25, TimeSpan.Zero), new RelativePeriod(2, 'w').StartBefore(Now));
    }

    [Fact]
    public void A_period_on_a_datetime_field_becomes_a_range_of_whole_minutes_up_to_now()
    {
        var (filters, added, problem) = RelativePeriodFilters.Expand([Eq("title", "\"Software Engineer\""), Eq("posted_date", "\"last_6m\"")], Jobs, Now);
        Assert.Null(problem);
        Assert.Equal(1, added);
        Assert.Equal(
        [
            Eq("title", "\"Software Engineer\""),
            new DataFilter("posted_date", FilterOperator.Gte, "\"2026-02-28T14:37:00Z\""),
            new DataFilter("posted_date", FilterOperator.Lte, "\"2026-08-31T14:38:00Z\""),
        ], filters);
        // The bounds compile like any datetime value.
        var (compiled, compileProblem) = SqlQueryCompiler.Compile(new DataQuery("jobs", null, filters, [], null, 0), Jobs, SqlDialect.Sqlite, new QueryLimits());
        Assert.Null(compileProblem);
        Assert.Contains("\"posted_date\" >= @p1 AND \"posted_date\" <= @p2", compiled!.Sql);
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 14, 37, 0, TimeSpan.Zero), compiled.Parameters[1].Value);
    }

    [Fact]
    public void A_period_on_a_date_field_is_whole_days_up_to_today()
    {
        var (filters, added, problem) = RelativePeriodFilters.Expand([Eq("closing_day", "\"last_1y\"")], Jobs, Now);
        Assert.Null(problem);
        Assert.Equal(1, added);
        Assert.Equal(
        [
            new DataFilter("closing_day", FilterOperator.Gte, "\"2025-08-31\""),
            new DataFilter("closing_day", FilterOperator.Lte, "\"2026-08-31\""),
        ], filters);
    }

    [Fact]
    public void Other_filters_pass_unchanged_and_a_malformed_period_is_refused_naming_the_field()
    {
        IReadOnlyList<DataFilter> untouched =
        [
            Eq("title", "\"last_6m\""),                                        // text: a value like any other
            new DataFilter("posted_date", FilterOperator.Gte, "\"last_6m\""),  // only equality means "within"
            Eq("posted_date", "\"2026-01-01\""),
            Eq("job_id", "7"),
        ];
        var (same, added, problem) = RelativePeriodFilters.Expand(untouched, Jobs, Now);
        Assert.Null(problem);
        Assert.Equal(0, added);
        Assert.Same(untouched, same);

        var (_, _, refused) = RelativePeriodFilters.Expand([Eq("posted_date", "\"last_6x\"")], Jobs, Now);
        Assert.Equal("filters.posted_date", refused!.Field);
        Assert.Contains("last_6x", refused.Detail);
    }

    private static SourceAccess Access(Dictionary<string, TableGrant>? tables = null) =>
        DataAccessPolicy.Resolve("homebuilders_db", DataAccessDefault.None, new Dictionary<string, MaskKind>(), DataQuotas.Unlimited,
            tables is null ? [] : new Dictionary<string, DataGrantEntry> { ["key_a"] = new("key_a", new DataGrant(tables, false, null), DateTimeOffset.UnixEpoch, "admin") },
            new DataCaller("key_a", "alice", tables is null)).Access!;

    private static DataQuery Shorthand(string? table, params DataFilter[] filters) => new(table, null, filters, [], null, 0);

    [Fact]
    public void Without_a_table_the_only_readable_table_or_the_only_one_with_every_named_field_is_read()
    {
        IReadOnlyList<TableSchema> tables = [Builders, Properties];
        var admin = Access();
        Assert.Equal("properties", QueryTableChoice.Choose("homebuilders_db", Shorthand(null, Eq("construction_status", "\"completed\"")), tables, admin).Policy!.Table.Name);
        Assert.Equal("builders", QueryTableChoice.Choose("homebuilders_db", Shorthand(null, Eq("name", "\"Summit Homes\"")), tables, admin).Policy!.Table.Name);

        // Fields in both tables, none, or in no one table together: refused, naming the tables.
        foreach (var query in new[] { Shorthand(null, Eq("builder_id", "3")), Shorthand(null), Shorthand(null, Eq("name", "\"x\""), Eq("construction_status", "\"y\"")) })
        {
            var (policy, refusal) = QueryTableChoice.Choose("homebuilders_db", query, tables, admin);
            Assert.Null(policy);
            Assert.Equal((DataQueryOutcome.Invalid, "table"), (refusal!.Outcome, refusal.Field));
            Assert.Contains("builders", refusal.Detail);
            Assert.Contains("properties", refusal.Detail);
        }
        var (_, unknown) = QueryTableChoice.Choose("homebuilders_db", Shorthand(null, Eq("colour", "\"red\"")), tables, admin);
        Assert.Equal((DataQueryOutcome.Invalid, "filters"), (unknown!.Outcome, unknown.Field));
        Assert.Contains("'colour'", unknown.Detail);

        // A key that may read one table reads it without naming it, and never learns of the other.
        var onlyProperties = Access(new Dictionary<string, TableGrant> { ["properties"] = TableGrant.Everything });
        Assert.Equal("properties", QueryTableChoice.Choose("homebuilders_db", Shorthand(null, Eq("builder_id", "3")), tables, onlyProperties).Policy!.Table.Name);
        var (_, hidden) = QueryTableChoice.Choose("homebuilders_db", Shorthand("builders"), tables, onlyProperties);
        Assert.Equal(DataQueryOutcome.NotFound, hidden!.Outcome);
        Assert.DoesNotContain("builders (", hidden.Detail);
    }

    [Fact]
    public void A_named_table_is_found_by_name_or_by_the_end_of_its_path()
    {
        IReadOnlyList<TableSchema> tables = [Builders, Properties];
        var admin = Access();
        Assert.Equal("properties", QueryTableChoice.Choose("s", Shorthand("MARKET_ANALYTICS.properties"), tables, admin).Policy!.Table.Name);
        Assert.Equal("properties", QueryTableChoice.Choose("s", Shorthand("properties"), tables, admin).Policy!.Table.Name);
        Assert.Equal(DataQueryOutcome.NotFound, QueryTableChoice.Choose("s", Shorthand("OTHER.properties"), tables, admin).Refusal!.Outcome);
        Assert.Equal(DataQueryOutcome.NotFound, QueryTableChoice.Choose("s", Shorthand("market_analytics.properties"), tables, admin).Refusal!.Outcome);
    }

    [Fact]
    public void A_models_declared_snowflake_table_is_matched_by_the_end_of_the_path_too()
    {
        // The guide's job-market-predictor declares "snowflake_table": "MARKET_ANALYTICS.JOB_TRENDS".
        var caller = new DataCaller("key_root", "root", true, "mod_x", new ModelDataSource("homebuilders_db", "read", null, "MARKET_ANALYTICS.properties"));
        var access = DataAccessPolicy.Resolve("homebuilders_db", DataAccessDefault.None, new Dictionary<string, MaskKind>(), DataQuotas.Unlimited, new Dictionary<string, DataGrantEntry>(), caller).Access!;
        Assert.NotNull(access.ForTable(Properties));
        Assert.Null(access.ForTable(Builders));
        Assert.Equal("properties", QueryTableChoice.Choose("homebuilders_db", Shorthand(null, Eq("builder_id", "3")), [Builders, Properties], access).Policy!.Table.Name);
    }

    [Fact]
    public void Masks_on_structured_values_withhold_or_hash_them_whole()
    {
        using var masker = new FieldMasker(new byte[32]);
        var salary = new RawJson("""{"min":90000,"max":120000,"currency":"USD"}""");
        Assert.Null(masker.Apply(MaskKind.Partial, salary));
        Assert.Null(masker.Apply(MaskKind.Redact, salary));
        var hash = Assert.IsType<string>(masker.Apply(MaskKind.Hash, salary));
        Assert.Matches("^h_[0-9a-f]{32}$", hash);
        Assert.Equal(hash, masker.Apply(MaskKind.Hash, new RawJson(salary.Json)));

        // What the reader writes: the object as an object unmasked, the masked value in its place otherwise.
        var rows = new RowSet([new ColumnSchema("salary_range", DataType.Object, true, "OBJECT"), new ColumnSchema("requirements", DataType.Array, false, "ARRAY")],
            [[salary, new RawJson("""["5+ years of experience","C#"]""")]]);
        var plain = JsonDocument.Parse(RowJsonWriter.Write(rows, new Dictionary<string, MaskKind>(), masker)).RootElement[0];
        Assert.Equal(120000, plain.GetProperty("salary_range").GetProperty("max").GetInt32());
        Assert.Equal("C#", plain.GetProperty("requirements")[1].GetString());
        var masked = JsonDocument.Parse(RowJsonWriter.Write(rows, new Dictionary<string, MaskKind> { ["salary_range"] = MaskKind.Partial, ["requirements"] = MaskKind.Hash }, masker)).RootElement[0];
        Assert.Equal(JsonValueKind.Null, masked.GetProperty("salary_range").ValueKind);
        Assert.Matches("^h_[0-9a-f]{32}$", masked.GetProperty("requirements").GetString()!);
    }
}
