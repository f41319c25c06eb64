using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Ask;

namespace Mcp.Cluster.Tests.Unit.Ask;

/// <summary>
/// The built-in translator on schemas shaped like the samples: the questions, the shapes of question it reads,
/// taught examples, and what it must never do (name a field or value the caller cannot see, guess at a question it
/// does not understand, fall over on hostile text). Its accuracy over a held-out set is measured by AskAccuracyTests.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class BuiltInTranslatorTests
{
    private static DataQuery Translate(string question, AskSchema schema)
    {
        var translation = BuiltInTranslator.Translate(question, schema);
        Assert.True(translation.Query is not null, $"'{question}' was not understood: {translation.Detail}");
        return translation.Query!;
    }

    private static string Value(DataFilter filter) => JsonDocument.Parse(filter.ValueJson).RootElement.ToString();

    private static DataFilter Filter(DataQuery query, string field) => Assert.Single(query.Filters, f => f.Field == field);

    [Fact]
    public void The_seeds_question_reads_active_jobs_posted_today()
    {
        var query = Translate("Show me active jobs for today", AskSchemas.JobsDb());
        Assert.Equal("jobs", query.Table);
        Assert.Equal(2, query.Filters.Count);
        Assert.Equal("active", Value(Filter(query, "status")));
        var posted = Filter(query, "posted_date");
        Assert.Equal((FilterOperator.Eq, "today"), (posted.Operator, Value(posted)));
        Assert.Null(query.Aggregates);
    }

    [Fact]
    public void Jobs_in_Austin_paying_over_150k_compare_the_top_of_the_salary_range()
    {
        var query = Translate("jobs in Austin paying over 150k", AskSchemas.JobsDb());
        Assert.Equal("Austin, TX", Value(Filter(query, "location")));
        var pay = Filter(query, "salary_range.max");
        Assert.Equal((FilterOperator.Gt, "150000"), (pay.Operator, Value(pay)));
        Assert.Equal(2, query.Filters.Count);
    }

    [Fact]
    public void How_many_builders_in_Texas_counts_builders_headquartered_in_a_Texan_city()
    {
        var query = Translate("how many builders in Texas", AskSchemas.HomebuildersDb());
        Assert.Equal("builders", query.Table);
        Assert.Equal(AggregateFunction.Count, Assert.Single(query.Aggregates!).Function);
        var where = Filter(query, "headquarters");
        Assert.Equal(FilterOperator.In, where.Operator);
        Assert.Equal(["Austin, TX", "Dallas, TX"], JsonSerializer.Deserialize<string[]>(where.ValueJson)!);
    }

    [Theory]
    [InlineData("3 bedroom homes in Texas", "properties", "specs.bedrooms:eq:3|location.state:eq:TX")]
    [InlineData("properties under $400k", "properties", "pricing.base_price:lt:400000")]
    [InlineData("homes with at least 4 bedrooms in Denver", "properties", "specs.bedrooms:gte:4|location.city:eq:Denver")]
    [InlineData("builders founded before 1990", "builders", "founded_year:lt:1990")]
    [InlineData("completed properties in 2025", "properties", "construction_status:eq:completed|completion_date:gte:2025-01-01|completion_date:lt:2026-01-01")]
    [InlineData("jobs not in Austin", "jobs", "location:ne:Austin, TX")]
    [InlineData("remote jobs at Globex or Hooli", "jobs", "company:in:[\"Globex\",\"Hooli\"]|location:eq:Remote")]
    [InlineData("jobs posted in the last 30 days", "jobs", "posted_date:eq:last_30d")]
    [InlineData("jobs paying between 100k and 120k", "jobs", "salary_range.min:gte:100000|salary_range.max:lte:120000")]
    public void Values_numbers_and_periods_become_filters_on_the_fields_they_belong_to(string question, string table, string expected)
    {
        var schema = table == "jobs" ? AskSchemas.JobsDb() : AskSchemas.HomebuildersDb();
        var query = Translate(question, schema);
        Assert.Equal(table, query.Table);
        var filters = query.Filters.Select(f => $"{f.Field}:{ModelName(f.Operator)}:{(f.ValueJson.StartsWith('[') ? f.ValueJson : Value(f))}").Order();
        Assert.Equal(expected.Split('|').Order(), filters);
    }

    [Fact]
    public void Superlatives_order_and_a_number_limits()
    {
        var newest = Translate("the 5 newest jobs", AskSchemas.JobsDb());
        Assert.Equal(new DataOrder("posted_date", true), Assert.Single(newest.OrderBy));
        Assert.Equal(5, newest.Limit);

        var latest = Translate("newest 5 jobs", AskSchemas.JobsDb());
        Assert.Equal((new DataOrder("posted_date", true), 5), (Assert.Single(latest.OrderBy), latest.Limit));

        var priciest = Translate("the most expensive property in Texas", AskSchemas.HomebuildersDb());
        Assert.Equal(new DataOrder("pricing.base_price", true), Assert.Single(priciest.OrderBy));
        Assert.Equal(1, priciest.Limit);

        var cheapest = Translate("cheapest homes", AskSchemas.HomebuildersDb());
        Assert.Equal(new DataOrder("pricing.base_price", false), Assert.Single(cheapest.OrderBy));
        Assert.Null(cheapest.Limit);
    }

    [Fact]
    public void Averages_and_groups_become_aggregates()
    {
        var average = Translate("average salary of data scientists", AskSchemas.JobsDb());
        Assert.Equal(new DataAggregate(AggregateFunction.Avg, "salary_range.max"), Assert.Single(average.Aggregates!));
        Assert.Equal("Data Scientist", Value(Filter(average, "title")));

        var perLocation = Translate("how many jobs per location", AskSchemas.JobsDb());
        Assert.Equal(["location"], perLocation.GroupBy!);
        Assert.Equal(AggregateFunction.Count, Assert.Single(perLocation.Aggregates!).Function);

        var highest = Translate("what is the highest salary for data engineers", AskSchemas.JobsDb());
        Assert.Equal(new DataAggregate(AggregateFunction.Max, "salary_range.max"), Assert.Single(highest.Aggregates!));
        Assert.Empty(highest.OrderBy);
    }

    [Fact]
    public void Fields_named_before_the_table_are_what_is_shown()
    {
        var query = Translate("list the titles and companies of jobs in Seattle", AskSchemas.JobsDb());
        Assert.Equal(["title", "company"], query.Fields!);
        Assert.Equal("Seattle, WA", Value(Filter(query, "location")));
    }

    [Fact]
    public void A_taught_example_is_adapted_with_the_new_questions_values()
    {
        var example = new DataQuestionExample("ex_1", "open roles at Globex", new DataQuery("jobs", null,
            [new DataFilter("company", FilterOperator.Eq, "\"Globex\""), new DataFilter("status", FilterOperator.Eq, "\"active\"")], [], null, 0),
            "key_admin", DateTimeOffset.UnixEpoch);
        var translation = BuiltInTranslator.Translate("open roles at Hooli", AskSchemas.JobsDb(example));
        Assert.Equal("example", translation.Translator);
        Assert.Equal("ex_1", translation.ExampleId);
        Assert.Equal("Hooli", Value(Filter(translation.Query!, "company")));
        // What the example fixed without saying it stays.
        Assert.Equal("active", Value(Filter(translation.Query!, "status")));
        // A different question is not forced into the example.
        Assert.Equal("builtin", BuiltInTranslator.Translate("how many jobs per location", AskSchemas.JobsDb(example)).Translator);
    }

    [Theory]
    [InlineData("how many employees work in marketing")]
    [InlineData("hello")]
    [InlineData("what is the meaning of life")]
    [InlineData("")]
    public void A_question_it_cannot_relate_to_the_data_is_refused_not_guessed(string question)
    {
        var translation = BuiltInTranslator.Translate(question, AskSchemas.JobsDb());
        Assert.Null(translation.Query);
        Assert.Equal(DataQueryOutcome.Invalid, translation.Outcome);
    }

    [Fact]
    public void A_hidden_field_is_never_named_and_its_values_never_matched()
    {
        // The caller may not read 'location': Austin cannot be related to anything it sees, so the question is refused.
        var schema = new AskSchema("jobs_db", [AskSchemas.Jobs(withLocation: false)], []);
        var translation = BuiltInTranslator.Translate("jobs in Austin", schema);
        Assert.Null(translation.Query);
        Assert.DoesNotContain("location", translation.Detail);

        // A masked field is listed but never compared: its values are not offered, and a number is not put on it.
        var masked = new AskSchema("jobs_db", [AskSchemas.Jobs(maskLocation: true)], []);
        var query = BuiltInTranslator.Translate("active jobs in Austin", masked).Query;
        Assert.True(query is null || query.Filters.All(f => f.Field != "location"));
        var email = BuiltInTranslator.Translate("builders with email sales@summithomes.example", AskSchemas.HomebuildersDb()).Query;
        Assert.True(email is null || email.Filters.All(f => f.Field != "contact_email"));
    }

    [Fact]
    public void Hostile_text_is_read_as_words_without_failing()
    {
        var schema = AskSchemas.JobsDb();
        foreach (var question in new[]
        {
            new string('9', 900) + "k jobs", "jobs over 99999999999999999999999999999 paying", "jobs'); DROP TABLE jobs; --",
            "jobs \u0000\u202e in Austin", string.Concat(Enumerable.Repeat("jobs in Austin or ", 60)), "top 0 jobs", "top 100000 jobs",
            "jobs between and", "$ k m jobs", "last 99999999 days jobs", "in 99999 jobs",
        })
        {
            var translation = BuiltInTranslator.Translate(question, schema);
            if (translation.Query is { } query)
            {
                Assert.True(query.Limit is null or >= 1 and <= 1000, question);
                Assert.All(query.Filters, f => Assert.True(schema.Tables[0].Find(f.Field) is not null, f.Field));
            }
        }
    }

    [Fact]
    public void The_explanation_says_what_the_query_does()
    {
        var translation = BuiltInTranslator.Translate("Show me active jobs for today", AskSchemas.JobsDb());
        Assert.Equal("Read jobs where posted_date is today and status is 'active'.", translation.Explanation);
        Assert.Equal("Counted builders where headquarters is one of 'Austin, TX', 'Dallas, TX'.",
            BuiltInTranslator.Translate("how many builders in Texas", AskSchemas.HomebuildersDb()).Explanation);
    }

    private static string ModelName(FilterOperator op) => op switch
    {
        FilterOperator.NotIn => "not_in",
        FilterOperator.StartsWith => "starts_with",
        FilterOperator.IsNull => "is_null",
        _ => op.ToString().ToLowerInvariant(),
    };
}
