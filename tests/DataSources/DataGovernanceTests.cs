using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>Grants, field-level access, row filters, masking, quotas, model declarations and the audit log.</summary>
[Trait("Tier", "Api")]
public sealed class DataGovernanceTests(DataGateway gateway) : IClassFixture<DataGateway>, IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(string KeyId, string ApiKey)> NewKeyAsync(string owner) =>
        gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "execute" } });

    private Task<string> PrivateJobsSourceAsync(string access = "none", object? masks = null, object? quotas = null, int cacheTtl = 60) =>
        gateway.PrivateJobsSourceAsync("jobs_", access, masks, quotas, cacheTtl);

    [Fact]
    public async Task Without_a_grant_a_key_reads_nothing_and_the_source_is_invisible_to_it()
    {
        var source = await PrivateJobsSourceAsync();
        var (_, apiKey) = await NewKeyAsync("mallory");
        using var client = gateway.CreateClient(apiKey);
        // A source the key may not see answers exactly like one that does not exist.
        using (var response = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs" }))
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var response = await client.GetAsync($"/api/datasources/{source}/schema"))
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        var list = await client.GetFromJsonAsync<JsonElement>("/api/datasources");
        Assert.DoesNotContain(source, list.GetProperty("data_sources").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        // Only admins see configs.
        Assert.All(list.GetProperty("data_sources").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("config").ValueKind));
    }

    [Fact]
    public async Task Field_level_access_hides_fields_everywhere_and_never_names_them()
    {
        var source = await PrivateJobsSourceAsync();
        var (keyId, apiKey) = await NewKeyAsync("fieldy");
        await gateway.GrantAsync(source, keyId, new { tables = new { jobs = new { fields = new[] { "job_id", "title", "company" } } } });
        using var client = gateway.CreateClient(apiKey);

        var all = await gateway.QueryOkAsync(client, new { source, table = "jobs", limit = 3 });
        Assert.Equal(["job_id", "title", "company"], all.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.All(DataGateway.Rows(all), r => Assert.Equal(3, r.EnumerateObject().Count()));

        foreach (var body in new object[]
        {
            new { source, table = "jobs", fields = new[] { "title", "salary_range" } },
            new { source, table = "jobs", filters = new { location = "Remote" } },
            new { source, table = "jobs", order_by = new[] { "-posted_date" } },
        })
        {
            using var response = await client.PostAsJsonAsync("/api/data/query", body);
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        // An unknown field is answered with the visible fields only.
        using (var response = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs", fields = new[] { "nope" } }))
        {
            var problem = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("company", detail);
            Assert.DoesNotContain("salary_range", detail);
        }
        var schema = await client.GetFromJsonAsync<JsonElement>($"/api/datasources/{source}/schema");
        Assert.Equal(["job_id", "title", "company"], schema.GetProperty("tables")[0].GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Row_filters_of_a_grant_are_added_to_every_query_of_the_key()
    {
        var source = await PrivateJobsSourceAsync();
        var (keyId, apiKey) = await NewKeyAsync("austin");
        await gateway.GrantAsync(source, keyId, new
        {
            tables = new { jobs = new { row_filters = new[] { new { field = "location", op = "eq", value = "Austin, TX" } } } },
        });
        using var client = gateway.CreateClient(apiKey);
        var expected = DataGateway.ReadDirect(gateway.JobsFile, "SELECT job_id FROM jobs WHERE location = 'Austin, TX' ORDER BY job_id").Select(r => (long)r[0]!).ToArray();
        Assert.NotEmpty(expected);

        var answer = await gateway.QueryOkAsync(client, new { source, table = "jobs", order_by = "job_id", limit = 1000 });
        Assert.Equal(expected, DataGateway.Rows(answer).Select(r => r.GetProperty("job_id").GetInt64()));
        // The caller's own filters cannot widen the rows: they are ANDed with the grant's.
        var widened = await gateway.QueryOkAsync(client, new { source, table = "jobs", filters = new { location = "Seattle, WA" } });
        Assert.Equal(0, widened.GetProperty("row_count").GetInt32());
        // The grant's filter does not use up the caller's allowance of 32.
        var many = Enumerable.Range(0, 32).Select(i => new { field = "job_id", op = "ne", value = -i }).ToArray();
        Assert.Equal(expected.Length, (await gateway.QueryOkAsync(client, new { source, table = "jobs", filters = many, limit = 1000 })).GetProperty("row_count").GetInt32());
        var viaIsNull = await gateway.QueryOkAsync(client, new { source, table = "jobs", filters = new[] { new { field = "location", op = "is_null", value = (object)false } }, limit = 1000 });
        Assert.Equal(expected.Length, viaIsNull.GetProperty("row_count").GetInt32());

        // A grant whose filter names a field that is not there, or a value of the wrong type, is refused when set.
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var response = await admin.PutAsJsonAsync($"/api/datasources/{source}/grants/{keyId}",
            new { tables = new { jobs = new { row_filters = new[] { new { field = "region", op = "eq", value = "x" } } } } }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var response = await admin.PutAsJsonAsync($"/api/datasources/{source}/grants/{keyId}",
            new { tables = new { jobs = new { row_filters = new[] { new { field = "job_id", op = "gt", value = "ten" } } } } }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var response = await admin.PutAsJsonAsync($"/api/datasources/{source}/grants/{keyId}", new { tables = new { staff = new { } } }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        // The refused grants left the first one in place.
        Assert.Equal(expected.Length, (await gateway.QueryOkAsync(client, new { source, table = "jobs", limit = 1000 })).GetProperty("row_count").GetInt32());
    }

    [Fact]
    public async Task Masks_hash_partial_and_redact_and_masked_fields_cannot_be_filtered()
    {
        var source = await PrivateJobsSourceAsync(access: "read", masks: new Dictionary<string, string>
        {
            ["jobs.company"] = "hash", ["jobs.salary_range"] = "redact", ["jobs.requirements"] = "partial",
        });
        var (_, apiKey) = await NewKeyAsync("masked");
        using var client = gateway.CreateClient(apiKey);
        var direct = DataGateway.ReadDirect(gateway.JobsFile, "SELECT job_id, company, requirements FROM jobs ORDER BY job_id LIMIT 40");

        var answer = await gateway.QueryOkAsync(client, new { source, table = "jobs", order_by = "job_id", limit = 40 });
        var rows = DataGateway.Rows(answer).ToArray();
        var columns = answer.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.Equal("hash", columns["company"].GetProperty("mask").GetString());
        Assert.False(columns["title"].TryGetProperty("mask", out _));
        for (var i = 0; i < rows.Length; i++)
        {
            var company = rows[i].GetProperty("company").GetString()!;
            Assert.Matches("^h_[0-9a-f]{32}$", company);
            Assert.Equal(JsonValueKind.Null, rows[i].GetProperty("salary_range").ValueKind);
            // requirements is an array: its last four characters are no meaningful part of it, so partial withholds it whole.
            Assert.Equal(JsonValueKind.Null, rows[i].GetProperty("requirements").ValueKind);
        }
        Assert.Equal("partial", columns["requirements"].GetProperty("mask").GetString());
        // Hashes are stable: equal companies hash equally, different ones differently.
        var byCompany = rows.Select((r, i) => ((string)direct[i][1]!, r.GetProperty("company").GetString()!)).Distinct().ToArray();
        Assert.Equal(byCompany.Select(p => p.Item1).Distinct().Count(), byCompany.Length);
        Assert.Equal(byCompany.Length, byCompany.Select(p => p.Item2).Distinct().Count());

        foreach (var body in new object[]
        {
            new { source, table = "jobs", filters = new { company = "Globex" } },
            new { source, table = "jobs", filters = new[] { new { field = "salary_range", op = "is_null", value = true } } },
            new { source, table = "jobs", order_by = new[] { "requirements" } },
        })
        {
            using var response = await client.PostAsJsonAsync("/api/data/query", body);
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        // A grant can lift a source-wide mask ("none") or add its own; admins see everything unmasked.
        var (liftedId, liftedKey) = await NewKeyAsync("lifted");
        await gateway.GrantAsync(source, liftedId, new { tables = new { jobs = new { masks = new { company = "none", title = "redact" } } } });
        using var lifted = gateway.CreateClient(liftedKey);
        var liftedRow = DataGateway.Rows(await gateway.QueryOkAsync(lifted, new { source, table = "jobs", order_by = "job_id", limit = 1 })).Single();
        Assert.Equal((string)direct[0][1]!, liftedRow.GetProperty("company").GetString());
        Assert.Equal(JsonValueKind.Null, liftedRow.GetProperty("title").ValueKind);
        Assert.Equal(JsonValueKind.Null, liftedRow.GetProperty("salary_range").ValueKind);
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var adminRow = DataGateway.Rows(await gateway.QueryOkAsync(admin, new { source, table = "jobs", order_by = "job_id", limit = 1 })).Single();
        Assert.Equal((string)direct[0][1]!, adminRow.GetProperty("company").GetString());
        Assert.Equal(JsonValueKind.Array, adminRow.GetProperty("requirements").ValueKind);

        // The homebuilders sample masks contact data by default.
        var builder = DataGateway.Rows(await gateway.QueryOkAsync(client, new { source = "homebuilders_db", table = "builders", order_by = "builder_id", limit = 1 })).Single();
        Assert.Matches(@"^s\*+@summithomes\.example$", builder.GetProperty("contact_email").GetString()!);
        Assert.Equal(JsonValueKind.Null, builder.GetProperty("phone").ValueKind);
    }

    [Fact]
    public async Task Owner_grants_cover_every_key_of_the_owner_and_a_key_grant_takes_precedence()
    {
        var source = await PrivateJobsSourceAsync();
        var owner = $"team-{Guid.NewGuid():N}"[..12];
        var (firstId, firstKey) = await NewKeyAsync(owner);
        var (_, secondKey) = await NewKeyAsync(owner);
        await gateway.GrantAsync(source, "owner:" + owner, new { tables = new { jobs = new { fields = new[] { "job_id", "title" } } } });
        await gateway.GrantAsync(source, firstId, new { });
        using var first = gateway.CreateClient(firstKey);
        using var second = gateway.CreateClient(secondKey);
        Assert.Equal(8, (await gateway.QueryOkAsync(first, new { source, table = "jobs", limit = 1 })).GetProperty("columns").GetArrayLength());
        Assert.Equal(2, (await gateway.QueryOkAsync(second, new { source, table = "jobs", limit = 1 })).GetProperty("columns").GetArrayLength());

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var grants = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{source}/grants");
        Assert.Equal(new[] { firstId, "owner:" + owner }.Order(StringComparer.Ordinal), grants.EnumerateArray().Select(g => g.GetProperty("subject").GetString()));
        using (var removed = await admin.DeleteAsync($"/api/datasources/{source}/grants/owner:{owner}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        using var denied = await second.PostAsJsonAsync("/api/data/query", new { source, table = "jobs" });
        await denied.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        // Grants are admin business.
        using var notAdmin = await first.PutAsJsonAsync($"/api/datasources/{source}/grants/{firstId}", new { sql = true });
        await notAdmin.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using var badSubject = await admin.PutAsJsonAsync($"/api/datasources/{source}/grants/alice", new { });
        await badSubject.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }

    [Fact]
    public async Task Daily_query_and_row_quotas_are_enforced_per_key_and_reported()
    {
        var source = await PrivateJobsSourceAsync(access: "read", quotas: new { queries_per_day = 3 });
        var (keyId, apiKey) = await NewKeyAsync("counted");
        using var client = gateway.CreateClient(apiKey);
        for (var i = 0; i < 3; i++)
        {
            await gateway.QueryOkAsync(client, new { source, table = "jobs", limit = 2 });
        }
        using (var response = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs", limit = 2 }))
        {
            var problem = await response.AssertErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
            Assert.Equal(source, problem.GetProperty("source").GetString());
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            var reset = DateTimeOffset.FromUnixTimeSeconds(problem.GetProperty("reset_time").GetInt64());
            Assert.Equal(TimeSpan.Zero, reset.TimeOfDay);
        }
        // Another key has its own counters.
        var (_, otherKey) = await NewKeyAsync("counted");
        using var other = gateway.CreateClient(otherKey);
        await gateway.QueryOkAsync(other, new { source, table = "jobs", limit = 2 });

        var usage = await client.GetFromJsonAsync<JsonElement>($"/api/datasources/{source}/usage");
        Assert.Equal(keyId, usage.GetProperty("key_id").GetString());
        Assert.Equal(3, usage.GetProperty("queries_today").GetInt64());
        Assert.Equal(6, usage.GetProperty("rows_today").GetInt64());
        Assert.Equal(0, usage.GetProperty("queries_remaining").GetInt64());
        Assert.Equal(1, usage.GetProperty("denied").GetInt64());

        // Rows: a query asking for more than is left gets what is left (and says so); then the key is refused.
        var rowSource = await PrivateJobsSourceAsync(access: "read", quotas: new { rows_per_day = 25 }, cacheTtl: 0);
        var first = await gateway.QueryOkAsync(client, new { source = rowSource, table = "jobs", limit = 20 });
        Assert.Equal(20, first.GetProperty("row_count").GetInt32());
        Assert.False(first.GetProperty("limited_by_quota").GetBoolean());
        var second = await gateway.QueryOkAsync(client, new { source = rowSource, table = "jobs", limit = 20 });
        Assert.Equal(5, second.GetProperty("row_count").GetInt32());
        Assert.True(second.GetProperty("limited_by_quota").GetBoolean());
        using (var response = await client.PostAsJsonAsync("/api/data/query", new { source = rowSource, table = "jobs", limit = 1 }))
        {
            await response.AssertErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
        }
        // Concurrent reads cannot overshoot together: rows are set aside before each read runs.
        var (_, burstKey) = await NewKeyAsync("burst");
        using var burst = gateway.CreateClient(burstKey);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await burst.PostAsJsonAsync("/api/data/query", new { source = rowSource, table = "jobs", limit = 10 });
            return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("row_count").GetInt32() : 0;
        }));
        Assert.Equal(25, answers.Sum());
    }

    [Fact]
    public async Task A_model_reads_only_the_sources_and_fields_it_declared()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = $"reader-{Guid.NewGuid():N}"[..16];
        using (var registered = await admin.PostAsJsonAsync("/api/models", new
        {
            name, provider = "builtin", config = new { model = "sentiment" },
            data_sources = new[] { new { name = "jobs_db", access_type = "read", required_fields = new[] { "title", "company" } } },
        }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        var answer = await gateway.QueryOkAsync(admin, new { source = "jobs_db", table = "jobs", model = name, limit = 2 });
        Assert.Equal(["title", "company"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        using (var response = await admin.PostAsJsonAsync("/api/data/query", new { source = "jobs_db", table = "jobs", model = name, fields = new[] { "salary_range" } }))
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var response = await admin.PostAsJsonAsync("/api/data/query", new { source = "homebuilders_db", table = "properties", model = name }))
        {
            var problem = await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Contains("did not declare", problem.GetProperty("detail").GetString());
        }
        // Raw SQL could read undeclared fields, so a model with declared fields gets none, even through an admin key.
        using (var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = "SELECT salary_range FROM jobs", model = name }))
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var response = await admin.PostAsJsonAsync("/api/data/query", new { source = "jobs_db", table = "jobs", model = "no-such-model" }))
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?source=homebuilders_db&decision=denied&limit=20");
        var modelId = (await admin.GetFromJsonAsync<JsonElement>($"/api/models/{name}")).GetProperty("model_id").GetString();
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("model_id").GetString() == modelId);
    }

    [Fact]
    public async Task Raw_sql_needs_an_unrestricted_sql_grant()
    {
        var source = await PrivateJobsSourceAsync();
        var (keyId, apiKey) = await NewKeyAsync("analyst");
        using var client = gateway.CreateClient(apiKey);
        await gateway.GrantAsync(source, keyId, new { });
        using (var response = await client.PostAsJsonAsync("/api/data/sql", new { source, sql = "SELECT count(*) AS n FROM jobs" }))
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        await gateway.GrantAsync(source, keyId, new { sql = true });
        using (var response = await client.PostAsJsonAsync("/api/data/sql", new { source, sql = "SELECT count(*) AS n FROM jobs" }))
        {
            Assert.Equal(240, DataGateway.Rows(await response.AssertOkAsync()).Single().GetProperty("n").GetInt64());
        }
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var response = await admin.PutAsJsonAsync($"/api/datasources/{source}/grants/{keyId}", new { sql = true, tables = new { jobs = new { fields = new[] { "title" } } } }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        // A source-wide mask also rules raw SQL out: it would read around the mask.
        using (var patched = await admin.PatchAsJsonAsync($"/api/datasources/{source}", new { masks = new Dictionary<string, string> { ["jobs.company"] = "hash" } }))
        {
            await patched.AssertOkAsync();
        }
        using (var response = await client.PostAsJsonAsync("/api/data/sql", new { source, sql = "SELECT company FROM jobs" }))
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Fact]
    public async Task Every_access_allowed_or_denied_is_audited_and_only_admins_read_the_audit()
    {
        var source = await PrivateJobsSourceAsync(masks: new Dictionary<string, string> { ["jobs.salary_range"] = "redact" });
        var (keyId, apiKey) = await NewKeyAsync("audited");
        using var client = gateway.CreateClient(apiKey);
        using (var denied = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs" }))
        {
            await denied.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        await gateway.GrantAsync(source, keyId, new { tables = new { jobs = new { fields = new[] { "job_id", "title", "salary_range" } } } });
        await gateway.QueryOkAsync(client, new { source, table = "jobs", filters = new { title = "Data Engineer" }, limit = 500 });
        using (var hidden = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs", fields = new[] { "company" } }))
        {
            await hidden.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={source}&key_id={keyId}");
        var entries = page.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(3, entries.Length);
        Assert.Equal(["denied", "allowed", "denied"], entries.Reverse().Select(e => e.GetProperty("decision").GetString()));
        var allowed = entries[1];
        var expectedRows = DataGateway.ReadDirect(gateway.JobsFile, "SELECT count(*) FROM jobs WHERE title = 'Data Engineer'")[0][0];
        Assert.Equal(Convert.ToInt32(expectedRows), allowed.GetProperty("row_count").GetInt32());
        Assert.Equal(["job_id", "title", "salary_range"], allowed.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("jobs", allowed.GetProperty("table").GetString());
        Assert.Equal("audited", allowed.GetProperty("owner").GetString());
        Assert.Equal("query", allowed.GetProperty("operation").GetString());
        Assert.True(allowed.GetProperty("latency_ms").GetDouble() > 0);
        Assert.Contains("no grant", entries[2].GetProperty("reason").GetString());
        Assert.Equal(["company"], entries[0].GetProperty("fields").EnumerateArray().Select(f => f.GetString()));

        // Paging backwards by id.
        var firstPage = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={source}&limit=2");
        Assert.Equal(2, firstPage.GetProperty("entries").GetArrayLength());
        var next = firstPage.GetProperty("next_before_id").GetInt64();
        var secondPage = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={source}&limit=2&before_id={next}");
        Assert.Equal(entries[2].GetProperty("id").GetInt64(), secondPage.GetProperty("entries")[0].GetProperty("id").GetInt64());

        // A key without the read permission is refused by the source, and that is audited too.
        var (executeOnlyId, executeOnly) = await gateway.CreateKeyAsync(new { owner = "audited", permissions = new[] { "execute" } });
        using (var noRead = gateway.CreateClient(executeOnly))
        using (var refused = await noRead.PostAsJsonAsync("/api/data/query", new { source, table = "jobs" }))
        {
            await refused.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        var noReadEntry = (await admin.GetFromJsonAsync<JsonElement>($"/api/audit?key_id={executeOnlyId}")).GetProperty("entries").EnumerateArray().Single();
        Assert.Equal("denied", noReadEntry.GetProperty("decision").GetString());
        Assert.Contains("read permission", noReadEntry.GetProperty("reason").GetString());

        using (var forbidden = await client.GetAsync("/api/audit"))
        {
            await forbidden.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var bad = await admin.GetAsync("/api/audit?decision=maybe"))
        {
            await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var bad = await admin.GetAsync("/api/audit?limit=1001"))
        {
            await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
    }
}
