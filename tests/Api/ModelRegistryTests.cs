using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class ModelRegistryTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    private readonly OpenAiWireServer _openAi = new("sk-registry-secret-4242", "gpt-test", "gpt-next");

    public Task InitializeAsync() => _openAi.StartAsync();

    public Task DisposeAsync() => _openAi.DisposeAsync().AsTask();

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..30];

    private object ChatModel(string name, string version = "1.0.0", string apiKey = "sk-registry-secret-4242", string providerModel = "gpt-test") => new
    {
        name,
        version,
        description = "Support assistant",
        model_type = "third_party",
        provider = "openai",
        input_schema = new
        {
            type = "object",
            properties = new { messages = new { type = "array", minItems = 1 } },
            required = new[] { "messages" },
        },
        data_sources = new[] { new { name = "jobs_db", access_type = "read", required_fields = new[] { "title", "company" } } },
        config = new { base_url = _openAi.V1.ToString(), api_key = apiKey, provider_model = providerModel, task = "chat", max_tokens = 64 },
    };

    [Fact]
    public async Task Registering_returns_the_id_status_and_predict_endpoint_and_the_model_describes_itself()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = UniqueName("support");
        using var created = await admin.PostAsJsonAsync("/api/models", ChatModel(name));
        var body = await created.AssertOkAsync(HttpStatusCode.Created);

        var id = body.GetProperty("model_id").GetString()!;
        Assert.Matches("^mod_[a-z2-7]{16}$", id);
        Assert.Equal("registered", body.GetProperty("status").GetString());
        Assert.Equal($"/api/models/{id}/predict", body.GetProperty("endpoint").GetString());
        Assert.Equal($"/api/models/{id}", created.Headers.Location?.ToString());

        var model = await admin.GetJsonAsync($"/api/models/{id}");
        Assert.Equal(name, model.GetProperty("name").GetString());
        Assert.Equal("third_party", model.GetProperty("model_type").GetString());
        Assert.Equal("chat", model.GetProperty("task").GetString());
        Assert.Equal(["chat", "completion", "embedding"], model.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).Order());
        Assert.True(model.GetProperty("streaming").GetBoolean());
        Assert.Equal("messages", model.GetProperty("input_schema").GetProperty("required")[0].GetString());
        Assert.Equal("text", model.GetProperty("output_schema").GetProperty("required")[0].GetString());
        Assert.Equal("jobs_db", model.GetProperty("data_sources")[0].GetProperty("name").GetString());
        Assert.Equal(["latest"], model.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("gpt-test", model.GetProperty("config").GetProperty("provider_model").GetString());
        Assert.Equal("********", model.GetProperty("config").GetProperty("api_key").GetString());
    }

    [Fact]
    public async Task Secrets_are_masked_everywhere_and_never_stored_in_plain_text()
    {
        const string secret = "sk-plaintext-must-never-leak-7781";
        const string headerSecret = "Bearer header-secret-must-never-leak-9911";
        await using var server = new OpenAiWireServer(secret);
        await server.StartAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(new
        {
            name = UniqueName("secretive"),
            provider = "openai",
            config = new { base_url = server.V1.ToString(), api_key = secret, provider_model = "gpt-test", headers = new Dictionary<string, string> { ["X-Upstream-Token"] = headerSecret } },
        });

        // The decrypted key reaches the provider …
        using var predicted = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { messages = new[] { new { role = "user", content = "hi" } } });
        await predicted.AssertOkAsync();
        Assert.Contains(server.Requests, r => r.Headers.GetValueOrDefault("X-Upstream-Token") == headerSecret);

        // … but no endpoint returns it, in any form.
        var texts = new List<string>
        {
            (await admin.GetJsonAsync($"/api/models/{id}")).GetRawText(),
            (await admin.GetJsonAsync("/api/models?limit=100")).GetRawText(),
            (await admin.GetJsonAsync($"/api/models/{id}/status")).GetRawText(),
        };
        var touched = $"touched-{Guid.NewGuid():N}";
        using (var patched = await admin.PatchAsJsonAsync($"/api/models/{id}", new { description = touched }))
        {
            texts.Add(await patched.Content.ReadAsStringAsync());
        }
        foreach (var text in texts)
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain("header-secret", text);
        }

        // Not in any file of the data directory (SQLite database, WAL, key ring) nor in the logs.
        // Scanned once the model's last write (the patch) is on disk, rather than after a guessed pause.
        await ModelTestHelpers.EventuallyAsync(async () => (await ReadDataFilesAsync()).Values
            .Any(bytes => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(touched)) >= 0), TimeSpan.FromSeconds(30), "the patched model on disk");
        foreach (var (file, bytes) in await ReadDataFilesAsync())
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"secret found in {file}");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("header-secret")) < 0, $"header secret found in {file}");
        }
        Assert.DoesNotContain(gateway.Logs, line => line.Contains(secret) || line.Contains("header-secret"));
    }

    private async Task<Dictionary<string, byte[]>> ReadDataFilesAsync()
    {
        var files = new Dictionary<string, byte[]>();
        foreach (var file in Directory.GetFiles(gateway.DataDirectory, "*", SearchOption.AllDirectories))
        {
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                files[file] = copy.ToArray();
            }
            catch (FileNotFoundException)
            {
                // A journal or temporary file that went away between listing and reading.
            }
        }
        return files;
    }

    [Fact]
    public async Task Environment_references_are_kept_as_written_and_resolved_on_the_silo()
    {
        Environment.SetEnvironmentVariable("WIRE_TEST_API_KEY", "sk-registry-secret-4242");
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(ChatModel(UniqueName("env"), apiKey: "${WIRE_TEST_API_KEY}"));

        var model = await admin.GetJsonAsync($"/api/models/{id}");
        Assert.Equal("${WIRE_TEST_API_KEY}", model.GetProperty("config").GetProperty("api_key").GetString());

        using var predicted = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { messages = new[] { new { role = "user", content = "env works" } } });
        Assert.Equal("echo: env works", (await predicted.AssertOkAsync()).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("${MCP_ADMIN_KEY}")]
    [InlineData("${HOME}")]
    public async Task References_to_variables_outside_the_allow_list_are_refused(string reference)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/models", ChatModel(UniqueName("sneaky"), apiKey: reference));

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("config.api_key", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Versions_coexist_latest_follows_the_highest_and_aliases_pin_one()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = UniqueName("ranker");
        var v1 = await admin.RegisterModelAsync(ChatModel(name, "1.2.0"));
        var v2 = await admin.RegisterModelAsync(ChatModel(name, "1.10.0", providerModel: "gpt-next"));
        var pre = await admin.RegisterModelAsync(ChatModel(name, "1.10.0-rc1"));

        using var duplicate = await admin.PostAsJsonAsync("/api/models", ChatModel(name, "1.2.0"));
        Assert.Equal("version", (await duplicate.AssertErrorAsync(HttpStatusCode.Conflict, "conflict")).GetProperty("field").GetString());

        Assert.Equal(v2, (await admin.GetJsonAsync($"/api/models/{name}")).GetProperty("model_id").GetString());
        Assert.Equal(v2, (await admin.GetJsonAsync($"/api/models/{name}@latest")).GetProperty("model_id").GetString());
        Assert.Equal(pre, (await admin.GetJsonAsync($"/api/models/{name}@1.10.0-rc1")).GetProperty("model_id").GetString());

        using (var set = await admin.PutAsJsonAsync($"/api/models/names/{name}/aliases/production", new { version = "1.2.0" }))
        {
            Assert.Equal(v1, (await set.AssertOkAsync()).GetProperty("model_id").GetString());
        }
        Assert.Equal(v1, (await admin.GetJsonAsync($"/api/models/{name}@production")).GetProperty("model_id").GetString());
        var byName = await admin.GetJsonAsync($"/api/models/names/{name}");
        Assert.Equal(3, byName.GetProperty("versions").GetArrayLength());
        Assert.Contains(byName.GetProperty("aliases").EnumerateArray(), a => a.GetProperty("alias").GetString() == "production" && a.GetProperty("version").GetString() == "1.2.0");

        using (var predicted = await admin.PostAsJsonAsync($"/api/models/{name}@production/predict", new { messages = new[] { new { role = "user", content = "pinned" } } }))
        {
            Assert.Equal(v1, Assert.Single(predicted.Headers.GetValues("X-Model-Id")));
            await predicted.AssertOkAsync();
        }

        using (var bad = await admin.PutAsJsonAsync($"/api/models/names/{name}/aliases/2024", new { version = "1.2.0" }))
        {
            await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var missing = await admin.PutAsJsonAsync($"/api/models/names/{name}/aliases/staging", new { version = "9.9.9" }))
        {
            await missing.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var removed = await admin.DeleteAsync($"/api/models/names/{name}/aliases/production"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        using (var gone = await admin.GetAsync($"/api/models/{name}@production"))
        {
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task Listing_filters_by_name_provider_and_status_and_pages()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = UniqueName("listed");
        for (var i = 1; i <= 3; i++)
        {
            await admin.RegisterModelAsync(ChatModel(name, $"{i}.0.0"));
        }

        var page = await admin.GetJsonAsync($"/api/models?name={name}&limit=2");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("models").GetArrayLength());
        var rest = await admin.GetJsonAsync($"/api/models?name={name}&limit=2&offset=2");
        Assert.Equal("3.0.0", Assert.Single(rest.GetProperty("models").EnumerateArray()).GetProperty("version").GetString());

        var builtin = await admin.GetJsonAsync("/api/models?provider=builtin");
        Assert.All(builtin.GetProperty("models").EnumerateArray(), m => Assert.Equal("builtin", m.GetProperty("provider").GetString()));
        Assert.Contains(builtin.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == "sentiment");

        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var active = await admin.GetJsonAsync($"/api/models?name={name}&status=active");
            return active.GetProperty("total").GetInt32() == 3;
        }, TimeSpan.FromSeconds(10), "health checks to mark the models active in the listing");

        using var badStatus = await admin.GetAsync("/api/models?status=sleepy");
        Assert.Equal("status", (await badStatus.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
        using var badLimit = await admin.GetAsync("/api/models?limit=1000");
        await badLimit.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_may_change_or_delete_a_model()
    {
        var (_, alice) = await gateway.CreateKeyAsync(new { owner = "alice-models", permissions = new[] { "read", "write", "execute" } });
        var (_, bob) = await gateway.CreateKeyAsync(new { owner = "bob-models", permissions = new[] { "read", "write", "execute" } });
        using var asAlice = gateway.CreateClient(alice);
        using var asBob = gateway.CreateClient(bob);
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        // A built-in model: a non-admin key may not point a model at the loopback wire server (outbound policy).
        var id = await asAlice.RegisterModelAsync(new { name = UniqueName("owned"), provider = "builtin", config = new { model = "sentiment" } });
        Assert.Equal("alice-models", (await asBob.GetJsonAsync($"/api/models/{id}")).GetProperty("owner").GetString());

        using (var denied = await asBob.PatchAsJsonAsync($"/api/models/{id}", new { description = "mine now" }))
        {
            await denied.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var denied = await asBob.DeleteAsync($"/api/models/{id}"))
        {
            await denied.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var allowed = await asAlice.PatchAsJsonAsync($"/api/models/{id}", new { description = "by alice" }))
        {
            Assert.Equal("by alice", (await allowed.AssertOkAsync()).GetProperty("description").GetString());
        }
        using (var allowed = await admin.PatchAsJsonAsync($"/api/models/{id}", new { description = "by admin" }))
        {
            Assert.Equal("by admin", (await allowed.AssertOkAsync()).GetProperty("description").GetString());
        }
        using (var deleted = await asAlice.DeleteAsync($"/api/models/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var gone = await asAlice.GetAsync($"/api/models/{id}"))
        {
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var gone = await asAlice.PostAsJsonAsync($"/api/models/{id}/predict", new { messages = new[] { new { role = "user", content = "x" } } }))
        {
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        Assert.DoesNotContain(id, (await admin.GetJsonAsync("/api/models?limit=100&provider=builtin")).GetRawText());
    }

    [Fact]
    public async Task Config_changes_are_a_merge_patch_and_the_mask_keeps_the_stored_secret()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(ChatModel(UniqueName("patched")));
        var model = await admin.GetJsonAsync($"/api/models/{id}");
        var config = model.GetProperty("config");

        // Send back what GET returned, with one change: the masked key must stay the stored key.
        using (var patched = await admin.PatchAsJsonAsync($"/api/models/{id}", new
        {
            config = new { api_key = config.GetProperty("api_key").GetString(), provider_model = "gpt-next", max_tokens = (int?)null },
        }))
        {
            var updated = await patched.AssertOkAsync();
            Assert.Equal("gpt-next", updated.GetProperty("config").GetProperty("provider_model").GetString());
            Assert.False(updated.GetProperty("config").TryGetProperty("max_tokens", out _));
        }
        using (var predicted = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { messages = new[] { new { role = "user", content = "still authorised" } } }))
        {
            Assert.Equal("echo: still authorised", (await predicted.AssertOkAsync()).GetProperty("text").GetString());
        }
        Assert.Contains(_openAi.Requests, r => r.Body.Contains("\"gpt-next\""));

        using (var immutable = await admin.PatchAsJsonAsync($"/api/models/{id}", new { name = "renamed" }))
        {
            Assert.Contains("register a new version", (await immutable.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("detail").GetString());
        }
        using (var unknown = await admin.PatchAsJsonAsync($"/api/models/{id}", new { colour = "blue" }))
        {
            await unknown.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var typo = await admin.PatchAsJsonAsync($"/api/models/{id}", new { config = new { provider_modle = "x" } }))
        {
            Assert.Equal("config.provider_modle", (await typo.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
        }
        // A refused change leaves the model as it was.
        Assert.Equal("gpt-next", (await admin.GetJsonAsync($"/api/models/{id}")).GetProperty("config").GetProperty("provider_model").GetString());
    }

    public static TheoryData<string, string> BadRegistrations => new()
    {
        { """{"name":"x","provider":"nope"}""", "provider" },
        { """{"provider":"builtin"}""", "name" },
        { """{"name":"bad name!","provider":"builtin"}""", "name" },
        { """{"name":"mod_sneaky","provider":"builtin"}""", "name" },
        { """{"name":"x","version":"latest","provider":"builtin"}""", "version" },
        { """{"name":"x","provider":"builtin","model_type":"alien"}""", "model_type" },
        { """{"name":"x","provider":"builtin","config":{"model":"sentiment","temprature":1}}""", "config.temprature" },
        { """{"name":"x","provider":"builtin","config":{"model":"poetry"}}""", "config.model" },
        { """{"name":"x","provider":"builtin","config":{"task":"chat"}}""", "config.task" },
        { """{"name":"x","provider":"builtin","config":{"timeout_seconds":100000}}""", "config.timeout_seconds" },
        { """{"name":"x","provider":"openai","config":{"base_url":"ftp://example.com","provider_model":"m"}}""", "config.base_url" },
        { """{"name":"x","provider":"openai","config":{"base_url":"http://localhost/v1"}}""", "config.provider_model" },
        { """{"name":"x","provider":"http","config":{"url":"http://localhost/p","api_key":{"$encrypted":"stolen-blob"}}}""", "config.api_key.$encrypted" },
        { """{"name":"x","provider":"builtin","config":[]}""", "config" },
        { """{"name":"x","provider":"builtin","input_schema":"text"}""", "input_schema" },
        { """{"name":"x","provider":"builtin","input_schema":{"type":12}}""", "input_schema" },
        { """{"name":"x","provider":"builtin","input_schema":{"$ref":"http://169.254.169.254/latest/meta-data"}}""", "input_schema" },
        { """{"name":"x","provider":"builtin","data_sources":[{"name":"db","access_type":"delete"}]}""", "data_sources[0].access_type" },
        { """{"name":"x","provider":"builtin","data_sources":[{"name":"db"},{"name":"db"}]}""", "data_sources[1].name" },
        // Limits: 50 data sources, 2,000-character descriptions, 64 KiB schemas, 16 KiB configs.
        { "{\"name\":\"x\",\"provider\":\"builtin\",\"data_sources\":[" + string.Join(",", Enumerable.Range(0, 51).Select(i => "{\"name\":\"db" + i + "\"}")) + "]}", "data_sources" },
        { "{\"name\":\"x\",\"provider\":\"builtin\",\"description\":\"" + new string('d', 2001) + "\"}", "description" },
        { "{\"name\":\"x\",\"provider\":\"builtin\",\"input_schema\":{\"type\":\"object\",\"description\":\"" + new string('s', 70_000) + "\"}}", "input_schema" },
        { "{\"name\":\"x\",\"provider\":\"http\",\"config\":{\"url\":\"http://localhost/p\",\"headers\":{\"X-Padding\":\"" + new string('h', 17_000) + "\"}}}", "config" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Bad_registrations_are_refused_with_the_field_named_and_create_nothing(string json, string field)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);

        using var response = await admin.PostAsync("/api/models", new StringContent(json, Encoding.UTF8, "application/json"));

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.True(field == error.GetProperty("field").GetString(), error.GetRawText());
        Assert.Equal(0, (await admin.GetJsonAsync("/api/models?name=x")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Unknown_fields_and_malformed_bodies_are_refused()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var unknown = await admin.PostAsync("/api/models", new StringContent("""{"name":"x","provider":"builtin","colour":"red"}""", Encoding.UTF8, "application/json"));
        Assert.Contains("colour", (await unknown.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request")).GetProperty("detail").GetString());
        using var malformed = await admin.PostAsync("/api/models", new StringContent("""{"name":""", Encoding.UTF8, "application/json"));
        await malformed.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Registering_needs_write_and_predicting_needs_execute()
    {
        var (_, reader) = await gateway.CreateKeyAsync(new { owner = "reader", permissions = new[] { "read" } });
        var (_, writer) = await gateway.CreateKeyAsync(new { owner = "writer", permissions = new[] { "read", "write" } });
        using var asReader = gateway.CreateClient(reader);
        using var asWriter = gateway.CreateClient(writer);

        using (var denied = await asReader.PostAsJsonAsync("/api/models", ChatModel(UniqueName("denied"))))
        {
            await denied.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        var id = await asWriter.RegisterModelAsync(new { name = UniqueName("noexec"), provider = "builtin", config = new { model = "sentiment" } });
        using (var denied = await asWriter.PostAsJsonAsync($"/api/models/{id}/predict", new { text = "x" }))
        {
            Assert.Equal("execute", (await denied.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden")).GetProperty("required_permission").GetString());
        }
        using var anonymous = gateway.CreateClient();
        using var unauthenticated = await anonymous.GetAsync("/api/models");
        await unauthenticated.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }
}
