using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>The question set itself: big enough, well formed, and holding the questions the issue and the seed ask.</summary>
[Trait("Tier", "Unit")]
public sealed class AskQuestionSetTests
{
    private static readonly AskQuestionSet Set = AskQuestionSet.Load(AskQuestionSet.DefaultPath(CommandLine.RepositoryRoot));

    [Fact]
    public void Has_at_least_fifty_questions_over_both_sample_sources_and_some_nothing_answers()
    {
        Assert.True(Set.Questions.Count >= 50, $"{Set.Questions.Count} questions");
        Assert.Contains(Set.Questions, q => q.Source == "jobs_db");
        Assert.Contains(Set.Questions, q => q.Source == "homebuilders_db");
        Assert.InRange(Set.Questions.Count(q => q.ExpectUnanswerable), 3, Set.Questions.Count / 5);
        Assert.InRange(Set.MinScore, 0, 1);
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

    [Fact]
    public void Every_gold_query_names_its_table_and_a_known_source_and_questions_are_distinct()
    {
        Assert.All(Set.Questions.Where(q => !q.ExpectUnanswerable), q =>
        {
            Assert.Contains(q.Source, new[] { "jobs_db", "homebuilders_db" });
            Assert.False(string.IsNullOrEmpty(q.Gold!.Table), q.Id);
            Assert.Equal(q.Source, q.Gold.Source);
        });
        Assert.Equal(Set.Questions.Count, Set.Questions.Select(q => q.Question.ToLowerInvariant()).Distinct().Count());
    }

    [Fact]
    public void Every_gold_that_orders_returns_what_it_orders_by()
    {
        // Otherwise the scorer could not check the order (nor tell ties at a limit from wrong rows).
        Assert.All(Set.Questions.Where(q => q.Gold?.OrderBy is { Count: > 0 }), q =>
        {
            var returned = (q.Gold!.Fields ?? []).Concat(q.Gold.GroupBy ?? []).Concat((q.Gold.Aggregates ?? []).Select(a => a.As ?? (a.Field is null ? a.Fn : $"{a.Fn}_{a.Field.Replace('.', '_')}")));
            Assert.All(q.Gold.OrderBy!, o => Assert.Contains(o.TrimStart('-').Split('.')[0], returned));
        });
    }
}
