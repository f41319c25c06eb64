using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Api;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>
/// <c>POST /api/data/ask</c> on the sample sources: the questions answered with the rows a direct read of the
/// sample file gives, bad input, governance (a question sees only what the key may read and is audited like any
/// read), taught examples, a chat model over the OpenAI wire protocol (its prompt, its retry, its refusals) and the
/// MCP tool and prompt.
/// </summary>
[Trait("Tier", "Api")]
public sealed class DataAskApiTests(DataGateway gateway) : IClassFixture<DataGateway>, IAsyncLifetime
{
    private readonly OpenAiWireServer _model = new("sk-ask", "gpt-test");

    public async Task InitializeAsync()
    {
        await gateway.EnsureSamplesAsync();
        await _model.StartAsync();
    }

    public async Task DisposeAsync() => await _model.DisposeAsync();

    private async Task<HttpClient> ReaderAsync(string owner, params string[] permissions)
    {
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner, permissions = permissions.Length > 0 ? permissions : ["read"] });
        return gateway.CreateClient(apiKey);
    }

    private static async Task<JsonElement> AskOkAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/data/ask", body);
        return await response.AssertOkAsync();
    }

    [Fact]
    public async Task The_seeds_question_answers_todays_active_jobs_as_the_sample_file_holds_them()
    {
        using var client = await ReaderAsync("asker");
        var answer = await AskOkAsync(client, new { question = "Show me active jobs for today" });
        Assert.Equal("jobs_db", answer.GetProperty("source").GetString());
        Assert.Equal("builtin", answer.GetProperty("translator").GetString());
        Assert.InRange(answer.GetProperty("confidence").GetDouble(), 0.6, 1);
        Assert.Contains("today", answer.GetProperty("explanation").GetString());
        var filters = answer.GetProperty("query").GetProperty("filters").EnumerateArray().Select(f => f.GetProperty("field").GetString()).Order();
        Assert.Equal(["posted_date", "status"], filters);
        var expected = DataGateway.ReadDirect(gateway.JobsFile,
            "SELECT job_id FROM jobs WHERE status = 'active' AND date(posted_date) = date('now') ORDER BY job_id").Select(r => (long)r[0]!).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, DataGateway.Rows(answer).Select(r => r.GetProperty("job_id").GetInt64()).Order());
        Assert.All(DataGateway.Rows(answer), r => Assert.Equal("active", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Jobs_in_Austin_paying_over_150k_and_builders_in_Texas_answer_what_the_files_hold()
    {
        using var client = await ReaderAsync("asker2");
        var pay = await AskOkAsync(client, new { question = "jobs in Austin paying over 150k" });
        var expected = DataGateway.ReadDirect(gateway.JobsFile,
            "SELECT job_id FROM jobs WHERE location = 'Austin, TX' AND json_extract(salary_range, '$.max') > 150000 ORDER BY job_id").Select(r => (long)r[0]!).ToArray();
        Assert.Equal(expected, DataGateway.Rows(pay).Select(r => r.GetProperty("job_id").GetInt64()).Order());

        var texas = await AskOkAsync(client, new { question = "how many builders in Texas" });
        Assert.Equal("homebuilders_db", texas.GetProperty("source").GetString());
        var count = (long)DataGateway.ReadDirect(gateway.HomebuildersFile, "SELECT count(*) FROM builders WHERE headquarters LIKE '%, TX'").Single()[0]!;
        Assert.Equal(count, DataGateway.Rows(texas).Single().GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Bad_questions_get_4xx_in_the_documented_shape()
    {
        using var client = await ReaderAsync("asker3");
        foreach (var (body, status, code, field) in new (object, HttpStatusCode, string, string?)[]
        {
            (new { }, HttpStatusCode.BadRequest, "validation_error", "question"),
            (new { question = "  " }, HttpStatusCode.BadRequest, "validation_error", "question"),
            (new { question = new string('a', 1001) }, HttpStatusCode.BadRequest, "validation_error", "question"),
            (new { question = "jobs\u0001" }, HttpStatusCode.BadRequest, "validation_error", "question"),
            (new { question = "jobs", limit = 0 }, HttpStatusCode.BadRequest, "validation_error", "limit"),
            (new { question = "jobs", limit = 1001 }, HttpStatusCode.BadRequest, "validation_error", "limit"),
            (new { question = "jobs", source = "no_such_source" }, HttpStatusCode.NotFound, "not_found", "source"),
            (new { question = "jobs", source = "../etc" }, HttpStatusCode.NotFound, "not_found", "source"),
            (new { question = "how many employees work in marketing" }, HttpStatusCode.UnprocessableEntity, "question_not_understood", "question"),
            (new { question = "hello", source = "jobs_db" }, HttpStatusCode.UnprocessableEntity, "question_not_understood", "question"),
        })
        {
            using var response = await client.PostAsJsonAsync("/api/data/ask", body);
            var error = await response.AssertErrorAsync(status, code);
            Assert.Equal(field, error.TryGetProperty("field", out var f) ? f.GetString() : null);
        }
        using var unknown = await client.PostAsync("/api/data/ask", new StringContent("""{"question": "jobs", "sql": "DROP TABLE jobs"}""", System.Text.Encoding.UTF8, "application/json"));
        await unknown.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        using var anonymous = gateway.CreateClient();
        using var refused = await anonymous.PostAsJsonAsync("/api/data/ask", new { question = "jobs" });
        await refused.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task A_question_sees_only_what_the_key_may_read_and_is_audited_like_a_read()
    {
        var source = await PrivateJobsSourceAsync();
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "narrow", permissions = new[] { "read" } });
        await gateway.GrantAsync(source, keyId, new { tables = new { jobs = new { fields = new[] { "job_id", "title", "company" } } } });
        using var client = gateway.CreateClient(apiKey);

        // 'location' is hidden: Austin relates to nothing the key sees, and the refusal names nothing hidden.
        using (var response = await client.PostAsJsonAsync("/api/data/ask", new { question = "jobs in Austin", source }))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "question_not_understood");
            Assert.DoesNotContain("location", error.GetProperty("detail").GetString());
            Assert.DoesNotContain("salary", error.GetProperty("detail").GetString());
        }
        var answer = await AskOkAsync(client, new { question = "Data Engineer jobs at Globex", source });
        Assert.All(DataGateway.Rows(answer), r => Assert.Equal(["job_id", "title", "company"], r.EnumerateObject().Select(p => p.Name)));

        // A key that may not read a source is told it does not exist, whether named or not.
        using var stranger = await ReaderAsync("stranger");
        using (var response = await stranger.PostAsJsonAsync("/api/data/ask", new { question = "Data Engineer jobs at Globex", source }))
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={source}&key_id={keyId}&limit=10");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("decision").GetString() == "allowed");
    }

    [Fact]
    public async Task Taught_examples_are_checked_kept_adapted_and_forgotten()
    {
        var source = await PrivateJobsSourceAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var (learnerId, learnerKey) = await gateway.CreateKeyAsync(new { owner = "learner", permissions = new[] { "read" } });
        await gateway.GrantAsync(source, learnerId, new { });
        using var client = gateway.CreateClient(learnerKey);

        using (var bad = await admin.PostAsJsonAsync($"/api/datasources/{source}/examples",
            new { question = "open roles at Globex", query = new { table = "jobs", filters = new[] { new { field = "no_such_field", op = "eq", value = "x" } } } }))
        {
            var error = await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.StartsWith("query.", error.GetProperty("field").GetString());
        }
        using (var noTable = await admin.PostAsJsonAsync($"/api/datasources/{source}/examples", new { question = "open roles", query = new { filters = new { status = "active" } } }))
        {
            await noTable.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var notAdmin = await client.PostAsJsonAsync($"/api/datasources/{source}/examples",
            new { question = "open roles at Globex", query = new { table = "jobs", filters = new { company = "Globex" } } }))
        {
            await notAdmin.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        using var created = await admin.PostAsJsonAsync($"/api/datasources/{source}/examples", new
        {
            question = "open roles at Globex",
            query = new { table = "jobs", filters = new object[] { new { field = "company", op = "eq", value = "Globex" }, new { field = "status", op = "eq", value = "active" } } },
        });
        var example = await created.AssertOkAsync(HttpStatusCode.Created);
        var id = example.GetProperty("id").GetString()!;

        var answer = await AskOkAsync(client, new { question = "open roles at Hooli", source });
        Assert.Equal("example", answer.GetProperty("translator").GetString());
        Assert.Equal(id, answer.GetProperty("example_id").GetString());
        Assert.All(DataGateway.Rows(answer), r => Assert.Equal(("Hooli", "active"), (r.GetProperty("company").GetString(), r.GetProperty("status").GetString())));
        var expected = (long)DataGateway.ReadDirect(gateway.JobsFile, "SELECT count(*) FROM jobs WHERE company = 'Hooli' AND status = 'active'").Single()[0]!;
        Assert.Equal(expected, answer.GetProperty("row_count").GetInt64());

        var list = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{source}/examples");
        Assert.Equal(id, list.GetProperty("examples").EnumerateArray().Single().GetProperty("id").GetString());
        using (var deleted = await admin.DeleteAsync($"/api/datasources/{source}/examples/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var again = await admin.DeleteAsync($"/api/datasources/{source}/examples/{id}"))
        {
            await again.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        // What the example taught is gone with it: the rules alone answer (or refuse), never the example.
        using var forgotten = await client.PostAsJsonAsync("/api/data/ask", new { question = "open roles at Hooli", source });
        var after = await forgotten.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(forgotten.StatusCode == HttpStatusCode.UnprocessableEntity || after.GetProperty("translator").GetString() == "builtin", after.ToString());
    }

    [Fact]
    public async Task A_chat_model_translates_with_the_governed_schema_and_gets_one_retry()
    {
        var model = await RegisterChatModelAsync();
        var source = await PrivateJobsSourceAsync();
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "chatty", permissions = new[] { "read", "execute" } });
        await gateway.GrantAsync(source, keyId, new { tables = new { jobs = new { fields = new[] { "job_id", "title", "company", "status" } } } });
        using var client = gateway.CreateClient(apiKey);

        var answers = new Queue<string>([
            "Sure! Here is the query: ```json\n{\"source\": \"" + source + "\", \"table\": \"jobs\", \"filters\": [{\"field\": \"location\", \"op\": \"eq\", \"value\": \"Austin, TX\"}]}\n```",
            "{\"source\": \"" + source + "\", \"table\": \"jobs\", \"filters\": [{\"field\": \"status\", \"op\": \"eq\", \"value\": \"active\"}, {\"field\": \"company\", \"op\": \"eq\", \"value\": \"Globex\"}]}",
        ]);
        _model.Assistant = _ => answers.TryDequeue(out var next) ? next : "no idea";
        while (_model.ChatRequests.TryDequeue(out _))
        {
        }

        var answer = await AskOkAsync(client, new { question = "which open jobs does Globex have", source, model });
        Assert.Equal("model", answer.GetProperty("translator").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("confidence").ValueKind);
        var expected = (long)DataGateway.ReadDirect(gateway.JobsFile, "SELECT count(*) FROM jobs WHERE company = 'Globex' AND status = 'active'").Single()[0]!;
        Assert.Equal(expected, answer.GetProperty("row_count").GetInt64());

        // The prompt showed the key's fields and values only; the retry carried the source's refusal.
        // (The model's health checks talk to the same server: only the translation's requests are looked at.)
        var prompts = _model.ChatRequests.Where(r => r.Contains("which open jobs does Globex have", StringComparison.Ordinal)).ToArray();
        Assert.True(prompts.Length == 2, string.Join("\n---\n", prompts));
        Assert.Contains("company", prompts[0]);
        Assert.Contains("Globex", prompts[0]);
        Assert.False(prompts[0].Contains("salary_range", StringComparison.Ordinal) || prompts[0].Contains("Austin", StringComparison.Ordinal), prompts[0]);
        Assert.Contains("cannot be used", prompts[1]);

        // Two unusable answers (prose; duplicate keys, which a dictionary cannot hold): 422, never a 500 or a guess.
        _model.Assistant = _ => "{\"table\": \"jobs\", \"table\": \"jobs\", \"source\": \"" + source + "\"}";
        using (var response = await client.PostAsJsonAsync("/api/data/ask", new { question = "which open jobs does Globex have", source, model }))
        {
            await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "question_not_understood");
        }
        _model.Assistant = _ => "I would rather not.";
        using (var response = await client.PostAsJsonAsync("/api/data/ask", new { question = "which open jobs does Globex have", source, model }))
        {
            await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "question_not_understood");
        }
        _model.Assistant = _ => "{\"error\": \"nothing here is about employees\"}";
        using (var response = await client.PostAsJsonAsync("/api/data/ask", new { question = "how many employees", source, model }))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "question_not_understood");
            Assert.Contains("employees", error.GetProperty("detail").GetString());
        }

        // A model needs the execute permission; an unknown model is a 404.
        using var readOnly = await ReaderAsync("readonly-chat");
        using (var response = await readOnly.PostAsJsonAsync("/api/data/ask", new { question = "jobs", model }))
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var response = await client.PostAsJsonAsync("/api/data/ask", new { question = "jobs", model = "no-such-model" }))
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task The_mcp_tool_and_prompt_answer_like_the_http_call()
    {
        using var client = await ReaderAsync("agent");
        var result = await HostedModelFixture.CallToolAsync(client, "data.ask", new { question = "how many builders in Texas" });
        Assert.False(result.TryGetProperty("isError", out var isError) && isError.GetBoolean(), result.ToString());
        var structured = result.GetProperty("structuredContent");
        Assert.Equal("homebuilders_db", structured.GetProperty("source").GetString());
        Assert.Equal(1, structured.GetProperty("row_count").GetInt32());

        var refused = await HostedModelFixture.CallToolAsync(client, "data.ask", new { question = "how many employees work in marketing" });
        Assert.True(refused.GetProperty("isError").GetBoolean());
        Assert.Contains("question_not_understood", refused.GetProperty("content")[0].GetProperty("text").GetString());
    }

    /// <summary>A source of its own on the jobs sample, readable only by keys granted on it (so questions without a source never meet it).</summary>
    private Task<string> PrivateJobsSourceAsync() => gateway.PrivateJobsSourceAsync("ask_");

    private async Task<string> RegisterChatModelAsync()
    {
        var name = "ask-chat-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/models", new
        {
            name, version = "1.0.0", provider = "openai",
            config = new { base_url = _model.V1.ToString(), api_key = "sk-ask", provider_model = "gpt-test", max_retries = 0 },
        });
        await response.AssertOkAsync(HttpStatusCode.Created);
        return name;
    }
}
