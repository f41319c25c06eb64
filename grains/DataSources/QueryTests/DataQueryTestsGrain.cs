using System.Diagnostics;
using System.Text;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>
/// One source's saved query tests (keyed by the source's name): the limits of <see cref="DataQueryTestLimits"/>, and
/// runs through the source's ordinary executor (and, for a question, its <see cref="IDataAskExecutorGrain"/>) as the
/// admin who asks, judged by <see cref="QueryTestJudge"/>. Each test keeps its last result.
/// </summary>
[GrainType("datasource-tests")]
public sealed class DataQueryTestsGrain(
    [PersistentState("datasource-tests", StorageNames.Default)] IPersistentState<DataQueryTestsState> tests,
    TimeProvider time,
    ILogger<DataQueryTestsGrain> logger) : Grain, IDataQueryTestsGrain
{
    /// <summary>Tests of one run that read at once: a run of many stays short without crowding the source.</summary>
    private const int Parallelism = 4;

    private string Name => this.GetPrimaryKeyString();

    private Dictionary<string, DataQueryTest> Tests => tests.State.Tests;

    public async Task<DataQueryTestSaved> SaveAsync(DataQueryTestDraft draft, DataCaller caller)
    {
        if (!await SourceExistsAsync())
        {
            return new DataQueryTestSaved(DataCommandOutcome.NotFound, Detail: $"Data source '{Name}' not found.");
        }
        if (Problem(draft) is { } problem)
        {
            return new DataQueryTestSaved(DataCommandOutcome.Invalid, Detail: problem.Detail, Field: problem.Field);
        }
        if (Tests.ContainsKey(draft.Name))
        {
            return new DataQueryTestSaved(DataCommandOutcome.Conflict, Detail: $"Data source '{Name}' already has a test named '{draft.Name}'; delete it first.", Field: "name");
        }
        if (Tests.Count >= DataQueryTestLimits.MaxTests)
        {
            return new DataQueryTestSaved(DataCommandOutcome.Invalid, Detail: $"A data source holds at most {DataQueryTestLimits.MaxTests} tests.", Field: "name");
        }
        var expect = draft.Expect;
        if (draft.ExpectFromCurrent)
        {
            var attempt = await AttemptAsync(draft.Question, draft.Query, caller);
            if (attempt.Failure is { } failure)
            {
                return new DataQueryTestSaved(DataCommandOutcome.Invalid, Detail: $"The current result could not be recorded: {failure}",
                    Field: draft.Question is null ? "query" : "question", QueryOutcome: attempt.Result?.Outcome);
            }
            var rows = Encoding.UTF8.GetString(attempt.Result!.RowsJson ?? "[]"u8.ToArray());
            if (attempt.Result.RowCount > DataQueryTestLimits.MaxExpectedRows || Encoding.UTF8.GetByteCount(rows) > DataQueryTestLimits.MaxExpectedBytes)
            {
                return new DataQueryTestSaved(DataCommandOutcome.Invalid,
                    Detail: $"The current result has {attempt.Result.RowCount} rows ({Encoding.UTF8.GetByteCount(rows)} bytes); a test records at most " +
                    $"{DataQueryTestLimits.MaxExpectedRows} rows and {DataQueryTestLimits.MaxExpectedBytes} bytes. Narrow the query or give it a limit.",
                    Field: "expect_from_current");
            }
            expect = expect with { RowCount = attempt.Result.RowCount, RowsJson = rows };
        }
        var stored = Tests.Values.Sum(t => (long)(t.Expect.RowsJson?.Length ?? 0));
        if (stored + (expect.RowsJson?.Length ?? 0) > DataQueryTestLimits.MaxExpectedBytesPerSource)
        {
            return new DataQueryTestSaved(DataCommandOutcome.Invalid,
                Detail: $"The tests of a data source expect at most {DataQueryTestLimits.MaxExpectedBytesPerSource} bytes of rows together.", Field: "expect");
        }
        var test = new DataQueryTest(draft.Name, draft.Question, draft.Question is null ? draft.Query : null, expect, caller.KeyId, time.GetUtcNow());
        Tests[test.Name] = test;
        await tests.WriteStateAsync();
        return new DataQueryTestSaved(DataCommandOutcome.Ok, test);
    }

    public async Task<IReadOnlyList<DataQueryTest>?> ListAsync()
    {
        if (!await SourceExistsAsync())
        {
            return null;
        }
        return Tests.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
    }

    public async Task<bool> DeleteAsync(string name)
    {
        if (!Tests.Remove(name))
        {
            return false;
        }
        await tests.WriteStateAsync();
        return true;
    }

    public async Task<DataQueryTestRun?> RunAsync(string? name, DataCaller caller)
    {
        if (!await SourceExistsAsync())
        {
            return null;
        }
        DataQueryTest[] chosen;
        if (name is not null)
        {
            if (!Tests.TryGetValue(name, out var one))
            {
                return null;
            }
            chosen = [one];
        }
        else
        {
            chosen = Tests.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        }
        var ranAt = time.GetUtcNow();
        var results = new DataQueryTestResult[chosen.Length];
        using var gate = new SemaphoreSlim(Parallelism);
        await Task.WhenAll(chosen.Select(async (test, i) =>
        {
            await gate.WaitAsync();
            try
            {
                results[i] = await RunOneAsync(test, caller, ranAt);
            }
            finally
            {
                gate.Release();
            }
        }));
        foreach (var result in results)
        {
            if (Tests.TryGetValue(result.Name, out var test))
            {
                Tests[result.Name] = test with { LastRun = result };
            }
        }
        try
        {
            await tests.WriteStateAsync();
        }
        catch (Exception e)
        {
            // The run's answer stands; only its record as each test's last run is lost.
            logger.LogWarning(e, "The last runs of data source {Source}'s tests could not be stored", Name);
        }
        var passed = results.Count(r => r.Passed);
        return new DataQueryTestRun(Name, ranAt, passed, results.Length - passed, results);
    }

    public async Task ClearAsync()
    {
        if (tests.RecordExists)
        {
            await tests.ClearStateAsync();
        }
        tests.State = new DataQueryTestsState();
        DeactivateOnIdle();
    }

    private async Task<DataQueryTestResult> RunOneAsync(DataQueryTest test, DataCaller caller, DateTimeOffset ranAt)
    {
        var attempt = await AttemptAsync(test.Question, test.Query, caller);
        IReadOnlyList<string> failures = attempt.Failure is { } failure
            ? [failure]
            : QueryTestJudge.Judge(test.Expect, attempt.Query!.OrderBy.Count > 0, attempt.Result!.RowsJson ?? [], attempt.Result.RowCount, attempt.ElapsedMs);
        return new DataQueryTestResult(test.Name, failures.Count == 0, Math.Round(attempt.ElapsedMs, 3), attempt.Result?.RowCount ?? 0, attempt.Query,
            failures, ranAt);
    }

    /// <summary>Translates the question (if it is one) and reads; the failure says in words why there is no answer to judge.</summary>
    private async Task<Attempt> AttemptAsync(string? question, DataQuery? query, DataCaller caller)
    {
        var started = Stopwatch.GetTimestamp();
        if (question is not null)
        {
            DataTranslation translation;
            try
            {
                translation = await GrainFactory.GetGrain<IDataAskExecutorGrain>(Name).TranslateAsync(question, caller);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Translating a test question of data source {Source} failed", Name);
                return new Attempt(null, null, $"the question could not be translated: {e.Message}", Elapsed());
            }
            if (translation.Query is null)
            {
                var why = string.IsNullOrWhiteSpace(translation.Detail) ? translation.Explanation : translation.Detail;
                return new Attempt(null, null, $"the question was not understood: {why}", Elapsed());
            }
            query = translation.Query;
        }
        DataQueryResult result;
        try
        {
            result = await GrainFactory.GetGrain<IDataSourceExecutorGrain>(Name).QueryAsync(query!, caller);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A test read of data source {Source} failed", Name);
            return new Attempt(query, null, $"the query could not be run: {e.Message}", Elapsed());
        }
        if (result.Outcome != DataQueryOutcome.Ok)
        {
            var at = result.Field is null ? "" : $" (field {result.Field})";
            return new Attempt(query, result, $"the query failed with {Code(result.Outcome)}{at}: {result.Detail}", Elapsed());
        }
        return new Attempt(query, result, null, Elapsed());

        double Elapsed() => Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>The error code the same read would have answered with over HTTP (docs/api/errors.md).</summary>
    private static string Code(DataQueryOutcome outcome) => outcome switch
    {
        DataQueryOutcome.NotFound => "not_found",
        DataQueryOutcome.Invalid => "validation_error",
        DataQueryOutcome.Forbidden => "forbidden",
        DataQueryOutcome.QuotaExceeded => "quota_exceeded",
        DataQueryOutcome.Timeout => "query_timeout",
        DataQueryOutcome.SourceError => "sql_error",
        DataQueryOutcome.TooLarge => "result_too_large",
        _ => "data_source_unavailable",
    };

    private async Task<bool> SourceExistsAsync() => await GrainFactory.GetGrain<IDataSourceGrain>(Name).GetAsync() is not null;

    private static (string Detail, string Field)? Problem(DataQueryTestDraft draft)
    {
        if (!DataQueryTestLimits.IsValidName(draft.Name))
        {
            return ($"A test's name is 1-{DataQueryTestLimits.MaxNameLength} lower-case letters, digits, '_', '-' or '.', starting with a letter or digit.", "name");
        }
        if ((draft.Question is null) == (draft.Query is null))
        {
            return ("A test has either a 'question' or a 'query'.", "question");
        }
        if (draft.Question is { } question && (string.IsNullOrWhiteSpace(question) || question.Length > DataQueryTestLimits.MaxQuestionLength))
        {
            return ($"Field 'question' must be 1-{DataQueryTestLimits.MaxQuestionLength} characters.", "question");
        }
        var expect = draft.Expect;
        if (expect.RowCount is < 0)
        {
            return ("'expect.row_count' must be 0 or more.", "expect.row_count");
        }
        if (expect.MaxMs is < 1)
        {
            return ("'expect.max_ms' must be 1 or more.", "expect.max_ms");
        }
        if (draft.ExpectFromCurrent)
        {
            return expect.RowCount is not null || expect.RowsJson is not null
                ? ("With 'expect_from_current' the current rows and their count are what is expected: leave out 'expect.rows' and 'expect.row_count'.", "expect")
                : null;
        }
        if (expect.RowCount is null && expect.RowsJson is null && expect.MaxMs is null)
        {
            return ("'expect' needs row_count, rows or max_ms (or set 'expect_from_current').", "expect");
        }
        if (expect.RowsJson is { } rows)
        {
            if (Encoding.UTF8.GetByteCount(rows) > DataQueryTestLimits.MaxExpectedBytes)
            {
                return ($"'expect.rows' may hold at most {DataQueryTestLimits.MaxExpectedBytes} bytes.", "expect.rows");
            }
            if (QueryTestJudge.RowsProblem(rows) is { } problem)
            {
                return (problem, "expect.rows");
            }
        }
        return null;
    }

    private sealed record Attempt(DataQuery? Query, DataQueryResult? Result, string? Failure, double ElapsedMs);
}
