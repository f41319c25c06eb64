using System.Net;
using System.Text.Json;
using Mcp.Cluster.Client;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>
/// Scores the gateway's plain-language questions against <see cref="AskQuestionSet"/> through the .NET client: each
/// gold query is run with <c>QueryAsync</c>, each question asked with <c>AskAsync</c> without a source (so choosing
/// the source counts), and the two answers compared by <see cref="AskAnswerComparer"/>. A question nothing answers is
/// right when it is refused with 422.
/// </summary>
public sealed class AskAccuracyRun(McpClient client)
{
    public async Task<AskAccuracyReport> RunAsync(AskQuestionSet set, CancellationToken cancellationToken = default)
    {
        var results = new List<AskQuestionResult>(set.Questions.Count);
        foreach (var question in set.Questions)
        {
            results.Add(question.ExpectUnanswerable
                ? await UnanswerableAsync(question, cancellationToken)
                : await AnswerableAsync(question, cancellationToken));
        }
        return new AskAccuracyReport(results, set.MinScore);
    }

    private async Task<AskQuestionResult> AnswerableAsync(AskQuestion question, CancellationToken cancellationToken)
    {
        DataQueryResult expected;
        try
        {
            expected = await client.QueryAsync(question.Gold!, cancellationToken);
        }
        catch (McpApiException e)
        {
            // Scored as wrong all the same: the score never improves because a question could not be checked.
            return new AskQuestionResult(question, false, $"the gold query failed: {Describe(e)}", null, GoldFailed: true);
        }
        DataAskResult answer;
        try
        {
            answer = await client.AskAsync(question.Question, cancellationToken: cancellationToken);
        }
        catch (McpApiException e)
        {
            return new AskQuestionResult(question, false, $"asked: {Describe(e)}", null);
        }
        var produced = Produced(answer);
        if (expected.Truncated)
        {
            return new AskQuestionResult(question, false, $"the gold answer is truncated ({expected.RowCount} rows); give the gold query an order and a limit", produced, GoldFailed: true);
        }
        var mismatch = AskAnswerComparer.Mismatch(question.Gold!, expected, answer, answer.Query);
        return mismatch is null
            ? new AskQuestionResult(question, true, "same rows", produced)
            : new AskQuestionResult(question, false, mismatch, produced);
    }

    private async Task<AskQuestionResult> UnanswerableAsync(AskQuestion question, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await client.AskAsync(question.Question, cancellationToken: cancellationToken);
            return new AskQuestionResult(question, false, $"answered with {answer.RowCount} rows instead of 422", Produced(answer));
        }
        catch (McpValidationException e) when (e.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            return new AskQuestionResult(question, true, $"422 {e.Error}", null);
        }
        catch (McpApiException e)
        {
            return new AskQuestionResult(question, false, $"asked: {Describe(e)}, expected 422", null);
        }
    }

    private static string Produced(DataAskResult answer) =>
        $"{answer.Source}.{answer.Table} via {answer.Translator} ({answer.Confidence:0.00}): "
        + (answer.Query is null ? "no query" : JsonSerializer.Serialize(answer.Query, McpJsonContext.Default.DataQueryRequest));

    private static string Describe(McpApiException e) => $"{(int)e.StatusCode} {e.Error}: {e.Detail}";
}
