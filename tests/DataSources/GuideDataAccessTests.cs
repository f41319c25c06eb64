using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.DataSources.Samples;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// The user guide's data access as written: <c>{"source", "query": {field: value}}</c> and
/// <c>{"source", "table", "filters": {field: value}}</c> with <c>last_6m</c> style periods, against the samples in the
/// guide's schemas, under the same grants, masks, row filters, quotas, audit and cache as the structured query.
/// </summary>
[Trait("Tier", "Api")]
[Collection(DataCollection.Name)]
public sealed class GuideDataAccessTests(DataGateway gateway) : IAsyncLifetime
{
    /// <summary>The guide's request, word for word as its Python example sends it (timeframe "6m").</summary>
    private const string GuideRequest = """
        {"source": "jobs_db", "query": {"title": "Software Engineer", "location": "Austin, TX", "posted_date": "last_6m"}}
        """;

    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpClient> ReaderAsync(string owner)
    {
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = $"{owner}-{Guid.NewGuid():N}"[..20], permissions = new[] { "read" } });
        return gateway.CreateClient(apiKey);
    }

    /// <summary>
    /// The job ids a period query must return, by SQLite itself. The bounds move with the clock, so they are taken
    /// before and after the request: the answer must be what either gives (they differ only across a minute boundary).
    /// </summary>
    private List<long[]> ExpectedJobs(string where, Func<DateTimeOffset, DateTimeOffset> start, DateTimeOffset before, DateTimeOffset after) =>
        new[] { before, after }.Select(now =>
        {
            var from = new DateTimeOffset(start(now).UtcTicks - start(now).UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
            return DataGateway.ReadDirect(gateway.JobsFile,
                    $"SELECT job_id FROM jobs WHERE {where} AND posted_date >= '{from:yyyy-MM-dd HH:mm:ss}' AND posted_date <= '{now.AddMinutes(1):yyyy-MM-dd HH:mm:ss}' ORDER BY job_id")
                .Select(r => (long)r[0]!).ToArray();
        }).ToList();

    private static long[] Ids(JsonElement answer) => [.. DataGateway.Rows(answer).Select(r => r.GetProperty("job_id").GetInt64()).Order()];

    [Fact]
    public async Task The_guides_request_pasted_unchanged_returns_its_rows_with_the_guides_types()
    {
        using var client = await ReaderAsync("guide-reader");
        var before = DateTimeOffset.UtcNow;
        using var response = await client.PostAsync("/api/data/query", Json(GuideRequest));
        var answer = await response.AssertOkAsync();
        var after = DateTimeOffset.UtcNow;

        Assert.Equal("jobs_db", answer.GetProperty("source").GetString());
        Assert.Equal("jobs", answer.GetProperty("table").GetString());
        Assert.True(answer.GetProperty("row_count").GetInt32() >= SampleDatabases.GuideExampleAges.Length);
        Assert.Contains(Ids(answer), ExpectedJobs("title = 'Software Engineer' AND location = 'Austin, TX'", n => n.AddMonths(-6), before, after),
            new SequenceComparer());
        var types = answer.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());
        Assert.Equal(("object", "array", "datetime"), (types["salary_range"], types["requirements"], types["posted_date"]));
        foreach (var row in DataGateway.Rows(answer))
        {
            Assert.Equal("Software Engineer", row.GetProperty("title").GetString());
            Assert.Equal("Austin, TX", row.GetProperty("location").GetString());
            Assert.InRange(row.GetProperty("posted_date").GetDateTimeOffset(), before.AddMonths(-6).AddMinutes(-1), after);
            Assert.Equal(JsonValueKind.Array, row.GetProperty("requirements").ValueKind);
            Assert.True(row.GetProperty("salary_range").ValueKind is JsonValueKind.Object or JsonValueKind.Null);
        }
        Assert.Contains(DataGateway.Rows(answer), r => r.GetProperty("salary_range").ValueKind == JsonValueKind.Object
            && r.GetProperty("salary_range").GetProperty("min").GetInt32() > 0);

        // The guide's other form, with the table named and the same filters, is the same query.
        using var tableForm = await client.PostAsync("/api/data/query", Json("""
            {"source": "jobs_db", "table": "jobs", "filters": {"title": "Software Engineer", "location": "Austin, TX", "posted_date": "last_6m"}}
            """));
        Assert.Equal(Ids(answer), Ids(await tableForm.AssertOkAsync()));
    }

    [Theory]
    [InlineData("last_3m", 0, 3, 0)]
    [InlineData("last_1y", 1, 0, 0)]
    [InlineData("last_12m", 0, 12, 0)]
    [InlineData("last_30d", 0, 0, 30)]
    public async Task Every_period_returns_the_postings_of_that_period(string period, int years, int months, int days)
    {
        using var client = await ReaderAsync("period-reader");
        var before = DateTimeOffset.UtcNow;
        var answer = await gateway.QueryOkAsync(client, new { source = "jobs_db", query = new Dictionary<string, object> { ["posted_date"] = period }, limit = 1000 });
        var after = DateTimeOffset.UtcNow;
        Assert.Contains(Ids(answer), ExpectedJobs("1 = 1", n => n.AddYears(-years).AddMonths(-months).AddDays(-days), before, after), new SequenceComparer());
        Assert.NotEqual(0, answer.GetProperty("row_count").GetInt32());
    }

    [Fact]
    public async Task Shorthand_mistakes_are_400s_that_name_the_field_never_500s()
    {
        using var client = await ReaderAsync("careless");
        async Task<JsonElement> Refused(string body, string field)
        {
            using var response = await client.PostAsync("/api/data/query", Json(body));
            var problem = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(field, problem.GetProperty("field").GetString());
            return problem;
        }

        var unknown = await Refused("""{"source": "jobs_db", "query": {"title": "Software Engineer", "salary": 100000}}""", "query");
        Assert.Contains("'salary'", unknown.GetProperty("detail").GetString());
        await Refused("""{"source": "jobs_db", "query": {"job_id": "seven"}}""", "query.job_id");
        await Refused("""{"source": "jobs_db", "query": {"title": 7}}""", "query.title");
        await Refused("""{"source": "jobs_db", "query": {"salary_range": {"min": 90000}}}""", "query.salary_range");
        await Refused("""{"source": "jobs_db", "query": {"requirements": ["C#"]}}""", "query.requirements");
        await Refused("""{"source": "jobs_db", "query": {"posted_date": 6}}""", "query.posted_date");
        var period = await Refused("""{"source": "jobs_db", "query": {"posted_date": "last_6x"}}""", "query.posted_date");
        Assert.Contains("last_6m", period.GetProperty("detail").GetString());
        await Refused("""{"source": "jobs_db", "query": ["title"]}""", "query");
        await Refused("""{"source": "jobs_db", "query": {"title": "x"}, "filters": {"location": "y"}}""", "query");
        // The structured query's limits hold: 32 filters, 4096 characters a value.
        var many = string.Join(", ", Enumerable.Range(0, 33).Select(i => $"\"f{i}\": {i}"));
        await Refused("{\"source\": \"jobs_db\", \"query\": {" + many + "}}", "query");
        await Refused(JsonSerializer.Serialize(new { source = "jobs_db", query = new { title = new string('x', 4097) } }), "query.title");
        // A source with several tables: the fields must tell them apart, or the table be named.
        var ambiguous = await Refused("""{"source": "homebuilders_db", "query": {"builder_id": 3}}""", "table");
        Assert.Contains("builders", ambiguous.GetProperty("detail").GetString());
        Assert.Contains("properties", ambiguous.GetProperty("detail").GetString());
        var nowhere = await Refused("""{"source": "homebuilders_db", "query": {"colour": "red"}}""", "query");
        Assert.Contains("'colour'", nowhere.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Without_a_table_the_fields_choose_it_and_the_sources_masks_apply()
    {
        using var client = await ReaderAsync("home-reader");
        var homes = await gateway.QueryOkAsync(client, new { source = "homebuilders_db", query = new { construction_status = "completed" }, limit = 1000 });
        Assert.Equal("properties", homes.GetProperty("table").GetString());
        var expected = DataGateway.ReadDirect(gateway.HomebuildersFile, "SELECT count(*) FROM properties WHERE construction_status = 'completed'")[0][0];
        Assert.Equal(Convert.ToInt32(expected, CultureInfo.InvariantCulture), homes.GetProperty("row_count").GetInt32());
        var home = DataGateway.Rows(homes).First();
        Assert.Equal(JsonValueKind.String, home.GetProperty("location").GetProperty("city").ValueKind);
        Assert.True(home.GetProperty("pricing").GetProperty("base_price").GetDecimal() > 0);
        Assert.True(home.GetProperty("specs").GetProperty("bedrooms").GetInt32() >= 2);

        var builder = await gateway.QueryOkAsync(client, new { source = "homebuilders_db", query = new { name = "Summit Homes" } });
        Assert.Equal("builders", builder.GetProperty("table").GetString());
        var row = DataGateway.Rows(builder).Single();
        Assert.Matches(@"^s\*+@summithomes\.example$", row.GetProperty("contact_email").GetString()!);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("phone").ValueKind);
    }

    [Fact]
    public async Task Grants_masks_row_filters_quotas_audit_and_cache_hold_for_the_shorthand()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var source = $"guide_{Guid.NewGuid():N}"[..20];
        using (var created = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name = source, type = "sqlite", config = new { path = gateway.JobsFile },
            masks = new Dictionary<string, string> { ["jobs.salary_range"] = "partial" }, quotas = new { queries_per_day = 4 },
        }))
        {
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = $"austin-{Guid.NewGuid():N}"[..16], permissions = new[] { "read" } });
        await gateway.GrantAsync(source, keyId, new
        {
            tables = new
            {
                jobs = new
                {
                    fields = new[] { "job_id", "title", "company", "location", "salary_range", "posted_date" },
                    row_filters = new[] { new { field = "location", op = "eq", value = "Austin, TX" } },
                    masks = new { company = "hash" },
                },
            },
        });
        using var client = gateway.CreateClient(apiKey);

        // 1: the row filter narrows, the masks apply (partial on an object withholds it), hidden fields stay hidden.
        var before = DateTimeOffset.UtcNow;
        var answer = await gateway.QueryOkAsync(client, new { source, query = new { title = "Software Engineer", posted_date = "last_1y" }, limit = 1000 });
        var after = DateTimeOffset.UtcNow;
        Assert.Contains(Ids(answer), ExpectedJobs("title = 'Software Engineer' AND location = 'Austin, TX'", n => n.AddYears(-1), before, after), new SequenceComparer());
        Assert.NotEqual(0, answer.GetProperty("row_count").GetInt32());
        Assert.False(answer.GetProperty("cached").GetBoolean());
        foreach (var row in DataGateway.Rows(answer))
        {
            Assert.Equal("Austin, TX", row.GetProperty("location").GetString());
            Assert.Matches("^h_[0-9a-f]{32}$", row.GetProperty("company").GetString()!);
            Assert.Equal(JsonValueKind.Null, row.GetProperty("salary_range").ValueKind);
            Assert.False(row.TryGetProperty("requirements", out _));
        }
        // 2: the same request again comes from the cache, still metered and audited.
        var again = await gateway.QueryOkAsync(client, new { source, query = new { title = "Software Engineer", posted_date = "last_1y" }, limit = 1000 });
        Assert.True(again.GetProperty("cached").GetBoolean());
        Assert.Equal(Ids(answer), Ids(again));
        // 3: the caller's filters cannot widen the grant's rows.
        Assert.Equal(0, (await gateway.QueryOkAsync(client, new { source, query = new { location = "Seattle, WA" } })).GetProperty("row_count").GetInt32());
        // 4, 5: masked fields cannot be compared, hidden fields are unknown (and never named).
        using (var masked = await client.PostAsJsonAsync("/api/data/query", new { source, query = new { company = "Globex" } }))
        {
            await masked.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var hidden = await client.PostAsJsonAsync("/api/data/query", new { source, query = new { requirements = "C#" } }))
        {
            var problem = await hidden.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal("query", problem.GetProperty("field").GetString());
            Assert.DoesNotContain("requirements", problem.GetProperty("detail").GetString()!.Replace("'requirements'", "", StringComparison.Ordinal));
        }
        // 6, 7: the source's quota of 4 queries a day (refusals are not charged) counts shorthand reads like any other.
        await gateway.QueryOkAsync(client, new { source, query = new { job_id = 1 } });
        using (var spent = await client.PostAsJsonAsync("/api/data/query", new { source, query = new { job_id = 2 } }))
        {
            var problem = await spent.AssertErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
            Assert.Equal(source, problem.GetProperty("source").GetString());
        }

        // Every one of them is in the audit log, with the table the shorthand chose.
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={source}&key_id={keyId}&limit=20");
        var entries = audit.GetProperty("entries").EnumerateArray().Reverse().ToArray();
        Assert.Equal(["allowed", "allowed", "allowed", "denied", "denied", "allowed", "denied"], entries.Select(e => e.GetProperty("decision").GetString()));
        Assert.All(entries.Where(e => e.GetProperty("decision").GetString() == "allowed"), e => Assert.Equal("jobs", e.GetProperty("table").GetString()));
        Assert.True(entries[1].GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task The_mcp_data_query_tool_takes_and_describes_the_shorthand()
    {
        using var client = await ReaderAsync("agent");
        var tools = (await client.GetFromJsonAsync<JsonElement>("/tools")).GetProperty("tools").EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "data.query");
        var input = tools.GetProperty("input_schema");
        Assert.Equal("object", input.GetProperty("properties").GetProperty("query").GetProperty("type").GetString());
        Assert.Equal(["source"], input.GetProperty("required").EnumerateArray().Select(r => r.GetString()));

        using var run = await client.PostAsync("/tools/data.query/execute", Json("""
            {"source": "jobs_db", "query": {"title": "Software Engineer", "location": "Austin, TX", "posted_date": "last_6m"}}
            """));
        var body = await run.AssertOkAsync();
        Assert.False(body.GetProperty("is_error").GetBoolean(), body.ToString());
        Assert.True(body.GetProperty("structured_content").GetProperty("row_count").GetInt32() >= SampleDatabases.GuideExampleAges.Length);
    }

    private sealed class SequenceComparer : IEqualityComparer<long[]>
    {
        public bool Equals(long[]? x, long[]? y) => x is not null && y is not null && x.SequenceEqual(y);

        public int GetHashCode(long[] obj) => obj.Length;
    }
}
