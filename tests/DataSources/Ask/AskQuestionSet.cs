using System.Text.Json;
using Mcp.Cluster.Client;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>
/// <c>questions.json</c>: plain-language questions over the sample sources, each with the source and the structured
/// query (gold) whose executed answer is the right one, or marked <c>expect_unanswerable</c> when nothing in the data
/// answers it; and <c>min_score</c>, the floor the accuracy test holds the translator to.
/// </summary>
public sealed record AskQuestionSet(double MinScore, IReadOnlyList<AskQuestion> Questions)
{
    public const string DefaultFile = "questions.json";

    /// <summary>A second held-out set, written later without the translator in view, so its score was never tuned to.</summary>
    public const string HoldoutFile = "questions-holdout.json";

    public static string DefaultPath(string repositoryRoot) => PathOf(repositoryRoot, DefaultFile);

    public static string PathOf(string repositoryRoot, string file) => Path.Combine(repositoryRoot, "tests", "DataSources", "Ask", file);

    public static AskQuestionSet Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var questions = root.GetProperty("questions").EnumerateArray().Select(AskQuestion.Read).ToArray();
        var duplicate = questions.GroupBy(q => q.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"{path}: question id '{duplicate.Key}' is used twice.");
        }
        return new AskQuestionSet(root.GetProperty("min_score").GetDouble(), questions);
    }
}

/// <summary>One question; <see cref="Gold"/> is null exactly when <see cref="ExpectUnanswerable"/>.</summary>
public sealed record AskQuestion(string Id, string Question, string? Source, DataQueryRequest? Gold, bool ExpectUnanswerable, IReadOnlyList<string> Tags)
{
    public static AskQuestion Read(JsonElement item)
    {
        var id = item.GetProperty("id").GetString()!;
        var unanswerable = item.TryGetProperty("expect_unanswerable", out var u) && u.GetBoolean();
        var gold = item.TryGetProperty("gold", out var g) ? g.Deserialize(McpJsonContext.Default.DataQueryRequest) : null;
        var source = item.TryGetProperty("source", out var s) ? s.GetString() : null;
        if (unanswerable == (gold is not null) || (gold is not null && source is null))
        {
            throw new InvalidDataException($"Question {id}: give a source and a gold query, or mark it expect_unanswerable (and give neither).");
        }
        var tags = item.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];
        return new AskQuestion(id, item.GetProperty("question").GetString()!, source, gold is null ? null : gold with { Source = source }, unanswerable, tags);
    }
}
