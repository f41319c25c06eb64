using System.Text.Json;
using Mcp.Cluster.Client;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>
/// The question sets themselves: big enough, well formed, the first holding the questions the issue and the seed ask,
/// and the held-out second set sharing neither a question nor a gold with the first.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class AskQuestionSetTests
{
    private static readonly AskQuestionSet Set = Load(AskQuestionSet.DefaultFile);

    private static AskQuestionSet Load(string file) => AskQuestionSet.Load(AskQuestionSet.PathOf(CommandLine.RepositoryRoot, file));

    [Theory]
    [InlineData(AskQuestionSet.DefaultFile)]
    [InlineData(AskQuestionSet.HoldoutFile)]
    public void Has_at_least_fifty_questions_over_both_sample_sources_and_some_nothing_answers(string file)
    {
        var set = Load(file);
        Assert.True(set.Questions.Count >= 50, $"{set.Questions.Count} questions");
        Assert.Contains(set.Questions, q => q.Source == "jobs_db");
        Assert.Contains(set.Questions, q => q.Source == "homebuilders_db");
        Assert.InRange(set.Questions.Count(q => q.ExpectUnanswerable), 3, set.Questions.Count / 5);
        Assert.InRange(set.MinScore, 0, 1);
    }

    [Theory]
    [InlineData("Show me active jobs for today", "jobs_db")]
    [InlineData("jobs in Austin paying over 150k", "jobs_db")]
    [InlineData("how many builders in Texas", "homebuilders_db")]
    public void Holds_the_issues_questions(string question, string source)
    {
        var found = Assert.Single(Set.Questions, q => q.Question == question);
        Assert.Equal(source, found.Source);
    }

    [Theory]
    [InlineData(AskQuestionSet.DefaultFile)]
    [InlineData(AskQuestionSet.HoldoutFile)]
    public void Every_gold_query_names_its_table_and_a_known_source_and_questions_are_distinct(string file)
    {
        var set = Load(file);
        Assert.All(set.Questions.Where(q => !q.ExpectUnanswerable), q =>
        {
            Assert.Contains(q.Source, new[] { "jobs_db", "homebuilders_db" });
            Assert.False(string.IsNullOrEmpty(q.Gold!.Table), q.Id);
            Assert.Equal(q.Source, q.Gold.Source);
        });
        Assert.Equal(set.Questions.Count, set.Questions.Select(q => q.Question.ToLowerInvariant()).Distinct().Count());
    }

    [Theory]
    [InlineData(AskQuestionSet.DefaultFile)]
    [InlineData(AskQuestionSet.HoldoutFile)]
    public void Every_gold_that_orders_returns_what_it_orders_by(string file)
    {
        // Otherwise the scorer could not check the order (nor tell ties at a limit from wrong rows).
        Assert.All(Load(file).Questions.Where(q => q.Gold?.OrderBy is { Count: > 0 }), q =>
        {
            var returned = (q.Gold!.Fields ?? []).Concat(q.Gold.GroupBy ?? []).Concat((q.Gold.Aggregates ?? []).Select(a => a.As ?? (a.Field is null ? a.Fn : $"{a.Fn}_{a.Field.Replace('.', '_')}")));
            Assert.All(q.Gold.OrderBy!, o => Assert.Contains(o.TrimStart('-').Split('.')[0], returned));
        });
    }

    [Fact]
    public void The_holdout_set_shares_no_question_and_no_gold_with_the_first()
    {
        // A gold the first set already has would be a paraphrase the translator may have been tuned on.
        var holdout = Load(AskQuestionSet.HoldoutFile);
        static string Gold(AskQuestion q) => JsonSerializer.Serialize(q.Gold!, McpJsonContext.Default.DataQueryRequest);
        var questions = Set.Questions.Select(q => q.Question.ToLowerInvariant()).ToHashSet();
        var golds = Set.Questions.Where(q => q.Gold is not null).Select(Gold).ToHashSet();
        Assert.All(holdout.Questions, q =>
        {
            Assert.StartsWith("h", q.Id);
            Assert.DoesNotContain(q.Question.ToLowerInvariant(), questions);
            if (q.Gold is not null)
            {
                Assert.DoesNotContain(Gold(q), golds);
            }
        });
    }
}
