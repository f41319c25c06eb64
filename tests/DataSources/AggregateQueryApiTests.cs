using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// Aggregates, group_by, member paths and calendar periods through <c>POST /api/data/query</c> on the sample files,
/// each answer checked against SQLite reading the same file directly; and the governance of all three.
/// </summary>
[Trait("Tier", "Api")]
[Collection(DataCollection.Name)]
public sealed class AggregateQueryApiTests(DataGateway gateway) : IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(string KeyId, HttpClient Client)> ReaderAsync(string owner)
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = $"{owner}-{Guid.NewGuid():N}"[..20], permissions = new[] { "read" } });
        return (keyId, gateway.CreateClient(apiKey));
    }

    private Task<string> PrivateJobsSourceAsync(object? masks = null) => gateway.PrivateJobsSourceAsync("agg_", masks: masks);

    private static Dictionary<string, string?> ColumnTypes(JsonElement answer) =>
        answer.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());

    [Fact]
    public async Task Builders_counted_by_headquarters_match_sqlite()
    {
        var (_, client) = await ReaderAsync("agg-builders");
        var answer = await gateway.QueryOkAsync(client, new
        {
            source = "homebuilders_db", table = "builders", aggregates = new[] { new { fn = "count" } }, group_by = new[] { "headquarters" },
            order_by = new[] { "-count", "headquarters" },
        });
        var expected = DataGateway.ReadDirect(gateway.HomebuildersFile,
            "SELECT headquarters, COUNT(*) FROM builders GROUP BY headquarters ORDER BY COUNT(*) DESC, headquarters");

        Assert.Equal(["headquarters", "count"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(("text", "integer"), (ColumnTypes(answer)["headquarters"], ColumnTypes(answer)["count"]));
        Assert.Equal(expected.Select(r => ((string)r[0]!, (long)r[1]!)),
            DataGateway.Rows(answer).Select(r => (r.GetProperty("headquarters").GetString()!, r.GetProperty("count").GetInt64())));
        Assert.Equal(expected.Count, answer.GetProperty("row_count").GetInt32());
    }

    [Fact]
    public async Task Average_salary_maximum_per_location_reads_the_member_and_counts_only_present_values()
    {
        var (_, client) = await ReaderAsync("agg-salary");
        var answer = await gateway.QueryOkAsync(client, new
        {
            source = "jobs_db",
            aggregates = new object[]
            {
                new { fn = "avg", field = "salary_range.max", @as = "avg_max" }, new { fn = "count" }, new { fn = "count", field = "salary_range.max" },
                new { fn = "max", field = "salary_range.max" },
            },
            group_by = new[] { "location" },
        });
        var expected = DataGateway.ReadDirect(gateway.JobsFile,
            "SELECT location, AVG(json_extract(salary_range, '$.max')), COUNT(*), COUNT(json_extract(salary_range, '$.max')), MAX(json_extract(salary_range, '$.max')) " +
            "FROM jobs GROUP BY location ORDER BY location");

        Assert.Equal("jobs", answer.GetProperty("table").GetString());
        Assert.Equal(["location", "avg_max", "count", "count_salary_range_max", "max_salary_range_max"],
            answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(("decimal", "integer"), (ColumnTypes(answer)["avg_max"], ColumnTypes(answer)["count_salary_range_max"]));
        var rows = DataGateway.Rows(answer).ToArray();
        Assert.Equal(expected.Count, rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal((string)expected[i][0]!, rows[i].GetProperty("location").GetString());
            Assert.Equal(Convert.ToDouble(expected[i][1]), rows[i].GetProperty("avg_max").GetDouble(), 6);
            Assert.Equal((long)expected[i][2]!, rows[i].GetProperty("count").GetInt64());
            Assert.Equal((long)expected[i][3]!, rows[i].GetProperty("count_salary_range_max").GetInt64());
            Assert.Equal(Convert.ToDouble(expected[i][4]), rows[i].GetProperty("max_salary_range_max").GetDouble());
        }
        // Some postings have no salary: the per-field count tells them apart from the row count.
        Assert.Contains(rows, r => r.GetProperty("count").GetInt64() > r.GetProperty("count_salary_range_max").GetInt64());
    }

    [Fact]
    public async Task Jobs_in_austin_paying_over_150000_at_most_filter_and_project_the_member()
    {
        var (_, client) = await ReaderAsync("agg-austin");
        var answer = await gateway.QueryOkAsync(client, new
        {
            source = "jobs_db", table = "jobs", fields = new[] { "job_id", "salary_range.max" },
            filters = new object[] { new { field = "location", op = "eq", value = "Austin, TX" }, new { field = "salary_range.max", op = "gt", value = 150000 } },
            order_by = new[] { "job_id" }, limit = 1000,
        });
        var expected = DataGateway.ReadDirect(gateway.JobsFile,
            "SELECT job_id, json_extract(salary_range, '$.max') FROM jobs WHERE location = 'Austin, TX' AND json_extract(salary_range, '$.max') > 150000 ORDER BY job_id");

        Assert.NotEmpty(expected);
        Assert.Equal("json", ColumnTypes(answer)["salary_range.max"]);
        Assert.Equal(expected.Select(r => ((long)r[0]!, Convert.ToInt64(r[1]))),
            DataGateway.Rows(answer).Select(r => (r.GetProperty("job_id").GetInt64(), r.GetProperty("salary_range.max").GetInt64())));
    }

    [Fact]
    public async Task Texan_homes_with_four_bedrooms_or_more_ordered_by_base_price()
    {
        var (_, client) = await ReaderAsync("agg-homes");
        var answer = await gateway.QueryOkAsync(client, new
        {
            source = "homebuilders_db", table = "properties", fields = new[] { "property_id", "location.state", "specs.bedrooms", "pricing.base_price" },
            filters = new object[] { new { field = "location.state", op = "eq", value = "TX" }, new { field = "specs.bedrooms", op = "gte", value = 4 } },
            order_by = new[] { "pricing.base_price" }, limit = 1000,
        });
        var expected = DataGateway.ReadDirect(gateway.HomebuildersFile,
            "SELECT property_id, json_extract(pricing, '$.base_price') FROM properties WHERE json_extract(location, '$.state') = 'TX' " +
            "AND json_extract(specs, '$.bedrooms') >= 4 ORDER BY json_extract(pricing, '$.base_price')");

        Assert.NotEmpty(expected);
        var rows = DataGateway.Rows(answer).ToArray();
        Assert.Equal(expected.Select(r => (long)r[0]!).Order(), rows.Select(r => r.GetProperty("property_id").GetInt64()).Order());
        Assert.Equal(expected.Select(r => Convert.ToDouble(r[1])), rows.Select(r => r.GetProperty("pricing.base_price").GetDouble()));
        Assert.All(rows, r =>
        {
            Assert.Equal("TX", r.GetProperty("location.state").GetString());
            Assert.True(r.GetProperty("specs.bedrooms").GetInt32() >= 4);
        });

        // Grouped by a member: one row per state, the state as the JSON string it is.
        var states = await gateway.QueryOkAsync(client, new
        {
            source = "homebuilders_db", table = "properties", aggregates = new[] { new { fn = "count" } }, group_by = new[] { "location.state" },
        });
        var byState = DataGateway.ReadDirect(gateway.HomebuildersFile,
            "SELECT json_extract(location, '$.state'), COUNT(*) FROM properties GROUP BY 1 ORDER BY 1");
        Assert.Equal(byState.Select(r => ((string)r[0]!, (long)r[1]!)),
            DataGateway.Rows(states).Select(r => (r.GetProperty("location.state").GetString()!, r.GetProperty("count").GetInt64())));
    }

    [Fact]
    public async Task Limit_and_offset_page_through_groups_and_each_group_counts_as_a_row()
    {
        var (_, client) = await ReaderAsync("agg-pages");
        var all = await gateway.QueryOkAsync(client, new { source = "jobs_db", aggregates = new[] { new { fn = "count" } }, group_by = new[] { "company" } });
        var second = await gateway.QueryOkAsync(client, new
        {
            source = "jobs_db", aggregates = new[] { new { fn = "count" } }, group_by = new[] { "company" }, limit = 2, offset = 2,
        });
        Assert.Equal(DataGateway.Rows(all).Skip(2).Take(2).Select(r => r.GetRawText()), DataGateway.Rows(second).Select(r => r.GetRawText()));
        Assert.Equal(2, second.GetProperty("row_count").GetInt32());
        Assert.Equal(
            DataGateway.ReadDirect(gateway.JobsFile, "SELECT COUNT(DISTINCT company) FROM jobs").Single()[0],
            (long)all.GetProperty("row_count").GetInt32());
    }

    [Fact]
    public async Task Masked_fields_cannot_be_aggregated_grouped_or_read_by_member_and_hidden_ones_are_unknown()
    {
        var source = await PrivateJobsSourceAsync(new Dictionary<string, string> { ["jobs.company"] = "hash", ["jobs.salary_range"] = "redact" });
        var (keyId, client) = await ReaderAsync("agg-gov");
        await gateway.GrantAsync(source, keyId, new
        {
            tables = new { jobs = new { fields = new[] { "job_id", "title", "company", "location", "salary_range" },
                row_filters = new[] { new { field = "location", op = "eq", value = "Austin, TX" } } } },
        });

        async Task<JsonElement> Refused(object body, HttpStatusCode status, string error)
        {
            using var response = await client.PostAsJsonAsync("/api/data/query", body);
            return await response.AssertErrorAsync(status, error);
        }

        var count = new[] { new { fn = "count" } };
        await Refused(new { source, group_by = new[] { "company" }, aggregates = count }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { source, aggregates = new[] { new { fn = "count", field = "company" } } }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { source, aggregates = new[] { new { fn = "max", field = "salary_range.max" } } }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { source, fields = new[] { "salary_range.max" } }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { source, filters = new[] { new { field = "salary_range.max", op = "gt", value = 1 } } }, HttpStatusCode.Forbidden, "forbidden");
        await Refused(new { source, group_by = new[] { "salary_range.currency" }, aggregates = count }, HttpStatusCode.Forbidden, "forbidden");

        // A field the grant hides answers exactly like one that does not exist, wherever it is named, paths included.
        foreach (var (hidden, missing) in new[] { ("posted_date", "no_such_field"), ("requirements.x", "no_such_field.x") })
        {
            var hiddenAnswer = await Refused(new { source, aggregates = new[] { new { fn = "min", field = hidden } } }, HttpStatusCode.BadRequest, "validation_error");
            var missingAnswer = await Refused(new { source, aggregates = new[] { new { fn = "min", field = missing } } }, HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(missingAnswer.GetProperty("detail").GetString()!.Replace(missing, hidden, StringComparison.Ordinal), hiddenAnswer.GetProperty("detail").GetString());
            Assert.Equal(missingAnswer.GetProperty("field").GetString(), hiddenAnswer.GetProperty("field").GetString());
            Assert.DoesNotContain("posted_date", hiddenAnswer.GetProperty("detail").GetString()!.Replace($"'{hidden}'", "", StringComparison.Ordinal));
            var grouped = await Refused(new { source, group_by = new[] { hidden }, aggregates = count }, HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal("group_by", grouped.GetProperty("field").GetString());
        }

        // Counting rows is always allowed, after the grant's row filters; an aggregate named like a masked field is not masked.
        var answer = await gateway.QueryOkAsync(client, new { source, aggregates = new[] { new { fn = "count", @as = "company" } } });
        var austin = (long)DataGateway.ReadDirect(gateway.JobsFile, "SELECT COUNT(*) FROM jobs WHERE location = 'Austin, TX'").Single()[0]!;
        Assert.Equal(austin, DataGateway.Rows(answer).Single().GetProperty("company").GetInt64());
        Assert.False(answer.GetProperty("columns")[0].TryGetProperty("mask", out _));

        var byTitle = await gateway.QueryOkAsync(client, new { source, aggregates = count, group_by = new[] { "location", "title" } });
        Assert.All(DataGateway.Rows(byTitle), r => Assert.Equal("Austin, TX", r.GetProperty("location").GetString()));
        Assert.Equal(austin, DataGateway.Rows(byTitle).Sum(r => r.GetProperty("count").GetInt64()));
    }

    [Fact]
    public async Task This_month_and_today_count_what_sqlite_counts_in_the_utc_calendar_period()
    {
        var (_, client) = await ReaderAsync("agg-periods");
        foreach (var period in new[] { "today", "yesterday", "this_week", "this_month", "this_year" })
        {
            var before = DateTimeOffset.UtcNow;
            var answer = await gateway.QueryOkAsync(client, new { source = "jobs_db", query = new { posted_date = period }, aggregates = new[] { new { fn = "count" } } });
            var after = DateTimeOffset.UtcNow;
            var counted = DataGateway.Rows(answer).Single().GetProperty("count").GetInt64();
            // The period is taken at the request: either side of it (they differ only across a midnight).
            Assert.Contains(counted, new[] { before, after }.Select(now => Expected(period, now)));
        }

        long Expected(string period, DateTimeOffset now)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var (from, to) = period switch
            {
                "today" => (today, today.AddDays(1)),
                "yesterday" => (today.AddDays(-1), today),
                "this_week" => (today.AddDays(-(((int)today.DayOfWeek + 6) % 7)), today.AddDays(7 - (((int)today.DayOfWeek + 6) % 7))),
                "this_month" => (new DateOnly(today.Year, today.Month, 1), new DateOnly(today.Year, today.Month, 1).AddMonths(1)),
                _ => (new DateOnly(today.Year, 1, 1), new DateOnly(today.Year + 1, 1, 1)),
            };
            return (long)DataGateway.ReadDirect(gateway.JobsFile,
                $"SELECT COUNT(*) FROM jobs WHERE posted_date >= '{from:yyyy-MM-dd} 00:00:00' AND posted_date < '{to:yyyy-MM-dd} 00:00:00'").Single()[0]!;
        }
    }

    [Fact]
    public async Task Without_a_table_the_fields_in_aggregates_group_by_and_paths_choose_it_by_their_column()
    {
        var (_, client) = await ReaderAsync("agg-choice");
        // homebuilders_db has builders and properties: only properties has pricing (and location as an object).
        var answer = await gateway.QueryOkAsync(client, new
        {
            source = "homebuilders_db", aggregates = new[] { new { fn = "avg", field = "pricing.base_price" } }, group_by = new[] { "location.state" },
        });
        Assert.Equal("properties", answer.GetProperty("table").GetString());
        var byBuilder = await gateway.QueryOkAsync(client, new { source = "homebuilders_db", aggregates = new[] { new { fn = "min", field = "founded_year" } } });
        Assert.Equal("builders", byBuilder.GetProperty("table").GetString());
        // Both tables have builder_id: the query must name one.
        using var ambiguous = await client.PostAsJsonAsync("/api/data/query", new { source = "homebuilders_db", aggregates = new[] { new { fn = "count" } }, group_by = new[] { "builder_id" } });
        var error = await ambiguous.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("table", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_mcp_data_query_tool_describes_and_runs_aggregates()
    {
        var (_, client) = await ReaderAsync("agg-agent");
        var tool = (await client.GetFromJsonAsync<JsonElement>("/tools")).GetProperty("tools").EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "data.query");
        var properties = tool.GetProperty("input_schema").GetProperty("properties");
        Assert.Equal(["count", "sum", "avg", "min", "max"],
            properties.GetProperty("aggregates").GetProperty("items").GetProperty("properties").GetProperty("fn").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("array", properties.GetProperty("group_by").GetProperty("type").GetString());

        using var run = await client.PostAsJsonAsync("/tools/data.query/execute", new
        {
            source = "homebuilders_db", table = "properties", group_by = new[] { "location.state" },
            aggregates = new object[] { new { fn = "count" }, new { fn = "avg", field = "pricing.base_price", @as = "avg_price" } }, order_by = new[] { "-count" },
        });
        var body = await run.AssertOkAsync();
        Assert.False(body.GetProperty("is_error").GetBoolean(), body.ToString());
        var rows = body.GetProperty("structured_content").GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal((long)DataGateway.ReadDirect(gateway.HomebuildersFile, "SELECT COUNT(*) FROM properties").Single()[0]!, rows.Sum(r => r.GetProperty("count").GetInt64()));
        Assert.All(rows, r => Assert.True(r.GetProperty("avg_price").GetDouble() > 0));
    }

    [Theory]
    [InlineData("""{"source": "jobs_db", "aggregates": {"fn": "count"}}""", "aggregates")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"fn": "median", "field": "job_id"}]}""", "aggregates[0].fn")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"field": "job_id"}]}""", "aggregates[0].fn")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"fn": "count", "filter": "x"}]}""", "aggregates[0]")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"fn": "sum", "field": 3}]}""", "aggregates[0].field")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"fn": "count", "as": "a b"}]}""", "aggregates[0].as")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"fn": "count"}], "group_by": "location"}""", "group_by")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"fn": "count"}], "group_by": ["location"], "order_by": ["-salary"]}""", "order_by")]
    [InlineData("""{"source": "jobs_db", "aggregates": [{"fn": "count"}], "group_by": ["location"], "fields": ["title"]}""", "fields")]
    [InlineData("""{"source": "jobs_db", "fields": ["salary_range.a'); DROP TABLE jobs; --"]}""", "fields")]
    [InlineData("""{"source": "jobs_db", "filters": [{"field": "salary_range.a.b.c.d.e", "op": "eq", "value": 1}]}""", "filters")]
    public async Task Malformed_aggregate_queries_are_400_naming_the_field_at_fault(string body, string field)
    {
        var (_, client) = await ReaderAsync("agg-bad");
        using var response = await client.PostAsync("/api/data/query", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal(field, error.GetProperty("field").GetString());
    }
}
