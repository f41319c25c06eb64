using System.Text.Json;
using Mcp.Cluster.Client;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>How an answer is scored against the gold answer (the measurement is only as honest as this).</summary>
[Trait("Tier", "Unit")]
public sealed class AskAnswerComparerTests
{
    private static DataQueryResult Result(string columns, string rows) =>
        JsonSerializer.Deserialize($$"""{"source": "jobs_db", "table": "jobs", "columns": {{columns}}, "rows": {{rows}}, "row_count": 0}""", McpJsonContext.Default.DataQueryResult)!;

    private static DataQueryRequest Query(string json) => JsonSerializer.Deserialize(json, McpJsonContext.Default.DataQueryRequest)!;

    private const string IdColumns = """[{"name": "job_id", "type": "integer"}]""";
    private static readonly DataQueryRequest Unordered = Query("""{"table": "jobs", "fields": ["job_id"]}""");

    [Fact]
    public void Same_rows_in_another_order_match_when_the_gold_does_not_order()
    {
        Assert.Null(AskAnswerComparer.Mismatch(Unordered, Result(IdColumns, """[{"job_id": 1}, {"job_id": 2}]"""),
            Result("""[{"name": "title", "type": "text"}, {"name": "job_id", "type": "integer"}]""", """[{"job_id": 2, "title": "b"}, {"job_id": 1, "title": "a"}]"""), null));
    }

    [Fact]
    public void Another_row_count_a_missing_column_or_another_row_do_not_match()
    {
        var gold = Result(IdColumns, """[{"job_id": 1}, {"job_id": 2}]""");
        Assert.Contains("1 rows, expected 2", AskAnswerComparer.Mismatch(Unordered, gold, Result(IdColumns, """[{"job_id": 1}]"""), null));
        Assert.Contains("no column 'job_id'", AskAnswerComparer.Mismatch(Unordered, gold, Result("""[{"name": "title", "type": "text"}]""", """[{"title": "a"}, {"title": "b"}]"""), null));
        Assert.Contains("no row in the answer equals {job_id: 2}", AskAnswerComparer.Mismatch(Unordered, gold, Result(IdColumns, """[{"job_id": 1}, {"job_id": 1}]"""), null));
    }

    [Fact]
    public void Numbers_match_within_a_small_tolerance_and_objects_whatever_their_member_order()
    {
        var gold = Query("""{"table": "jobs", "aggregates": [{"fn": "avg", "field": "salary_range.max"}]}""");
        var columns = """[{"name": "avg_salary_range_max", "type": "decimal"}]""";
        Assert.Null(AskAnswerComparer.Mismatch(gold, Result(columns, """[{"avg_salary_range_max": 123456.7890001}]"""), Result(columns, """[{"avg_salary_range_max": 123456.789}]"""), gold));
        Assert.NotNull(AskAnswerComparer.Mismatch(gold, Result(columns, """[{"avg_salary_range_max": 123456.79}]"""), Result(columns, """[{"avg_salary_range_max": 123457.79}]"""), gold));

        var objects = """[{"name": "salary_range", "type": "object"}]""";
        var fields = Query("""{"table": "jobs", "fields": ["salary_range"]}""");
        Assert.Null(AskAnswerComparer.Mismatch(fields, Result(objects, """[{"salary_range": {"min": 1, "max": 2}}]"""), Result(objects, """[{"salary_range": {"max": 2, "min": 1}}]"""), null));
        Assert.NotNull(AskAnswerComparer.Mismatch(fields, Result(objects, """[{"salary_range": {"min": 1, "max": 2}}]"""), Result(objects, """[{"salary_range": {"min": 1, "max": 3}}]"""), null));
    }

    [Fact]
    public void An_ordered_gold_needs_the_same_order_but_rows_tied_at_the_limit_may_differ()
    {
        var gold = Query("""{"table": "jobs", "fields": ["job_id", "salary_range"], "order_by": ["-salary_range.max"], "limit": 2}""");
        var columns = """[{"name": "job_id", "type": "integer"}, {"name": "salary_range", "type": "object"}]""";
        var expected = Result(columns, """[{"job_id": 1, "salary_range": {"max": 300}}, {"job_id": 2, "salary_range": {"max": 200}}]""");

        Assert.Contains("out of order", AskAnswerComparer.Mismatch(gold, expected,
            Result(columns, """[{"job_id": 2, "salary_range": {"max": 200}}, {"job_id": 1, "salary_range": {"max": 300}}]"""), null));
        // Job 3 also pays 200: the limit could have kept either.
        Assert.Null(AskAnswerComparer.Mismatch(gold, expected,
            Result(columns, """[{"job_id": 1, "salary_range": {"max": 300}}, {"job_id": 3, "salary_range": {"max": 200}}]"""), null));
        // But the top row is not tied with anything: another job there is wrong.
        Assert.NotNull(AskAnswerComparer.Mismatch(gold, expected,
            Result(columns, """[{"job_id": 4, "salary_range": {"max": 300}}, {"job_id": 2, "salary_range": {"max": 200}}]"""), null));
    }

    [Fact]
    public void An_aggregate_the_answer_named_otherwise_is_matched_by_its_place()
    {
        var gold = Query("""{"table": "jobs", "group_by": ["location"], "aggregates": [{"fn": "count"}]}""");
        var answerQuery = Query("""{"table": "jobs", "group_by": ["location"], "aggregates": [{"fn": "count", "as": "jobs"}]}""");
        var expected = Result("""[{"name": "location", "type": "text"}, {"name": "count", "type": "integer"}]""", """[{"location": "Remote", "count": 3}, {"location": "Austin, TX", "count": 2}]""");
        var columns = """[{"name": "location", "type": "text"}, {"name": "jobs", "type": "integer"}]""";
        Assert.Null(AskAnswerComparer.Mismatch(gold, expected, Result(columns, """[{"location": "Austin, TX", "jobs": 2}, {"location": "Remote", "jobs": 3}]"""), answerQuery));
        Assert.NotNull(AskAnswerComparer.Mismatch(gold, expected, Result(columns, """[{"location": "Austin, TX", "jobs": 3}, {"location": "Remote", "jobs": 2}]"""), answerQuery));
    }

    [Fact]
    public void A_sort_key_the_gold_does_not_return_exempts_no_row()
    {
        // The gold sorts by a field it does not return: its rows cannot show ties, so every row must match.
        var gold = Query("""{"table": "jobs", "fields": ["job_id"], "order_by": ["-salary_range.max"], "limit": 2}""");
        Assert.NotNull(AskAnswerComparer.Mismatch(gold, Result(IdColumns, """[{"job_id": 1}, {"job_id": 2}]"""), Result(IdColumns, """[{"job_id": 7}, {"job_id": 8}]"""), null));
    }
}
