using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Client;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Clients;

/// <summary>
/// The .NET client against the real gateway (in process): the README's first steps (a self-service key, the built-in
/// sentiment model registered under a name of one's own, a prediction, the guide's query), keys and models end to
/// end, and each typed error as the gateway really answers it.
/// </summary>
[Trait("Tier", "Api")]
[Collection(DataCollection.Name)]
public sealed class DotnetClientGatewayTests(DataGateway gateway)
{
    private McpClient Client(string? apiKey, int maxRetries = 2) =>
        new(gateway.CreateClient(), new McpClientOptions { ApiKey = apiKey, MaxRetries = maxRetries });

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static readonly JsonElement Sentiment = Json("""{"model": "sentiment"}""");

    [Fact]
    public async Task The_readmes_first_steps_run_through_the_client()
    {
        await gateway.EnsureSamplesAsync();
        using var anonymous = Client(null);
        var owner = Unique("dotnet-first");
        var key = await anonymous.CreateKeyAsync(new CreateKeyRequest { Owner = owner, Description = "laptop" });
        Assert.StartsWith("mcp_", key.ApiKey);
        Assert.Equal(["read", "write", "execute"], key.Permissions);

        using var client = Client(key.ApiKey);
        var name = Unique("review-sentiment");
        var registered = await client.RegisterModelAsync(new RegisterModelRequest { Name = name, Version = "1.0.0", Provider = "builtin", Config = Sentiment });
        Assert.Equal((name, "1.0.0", "registered"), (registered.Name, registered.Version, registered.Status));

        var prediction = await client.PredictAsync(name, new { text = "This product is amazing!" });
        Assert.Equal("positive", prediction.GetProperty("sentiment").GetString());
        var negative = await client.PredictAsync(name, Json("""{"text": "Not satisfied with the quality."}"""));
        Assert.Equal("negative", negative.GetProperty("sentiment").GetString());

        // The user guide's DataSourceClient call: query(source=…, query={…}).
        var jobs = await client.QueryAsync("jobs_db", new Dictionary<string, object?>
        {
            ["title"] = "Software Engineer", ["location"] = "Austin, TX", ["posted_date"] = "last_6m",
        });
        Assert.Equal("jobs", jobs.Table);
        Assert.True(jobs.RowCount >= 4, $"{jobs.RowCount} rows");
        Assert.All(jobs.Rows, row => Assert.Equal(("Software Engineer", "Austin, TX"),
            (row.GetProperty("title").GetString(), row.GetProperty("location").GetString())));
        Assert.Contains(jobs.Columns, c => c is { Name: "salary_range", Type: "object" });

        // Its other form names the table and says filters.
        var completed = await client.QueryAsync("homebuilders_db", "properties", new Dictionary<string, object?> { ["construction_status"] = "completed" });
        Assert.NotEmpty(completed.Rows);
        Assert.All(completed.Rows, row => Assert.Equal("completed", row.GetProperty("construction_status").GetString()));
    }

    [Fact]
    public async Task Structured_queries_sql_sources_and_schemas()
    {
        await gateway.EnsureSamplesAsync();
        using var admin = Client(GatewayFactory.AdminKey);
        var reader = await admin.CreateKeyAsync(new CreateKeyRequest { Owner = Unique("dotnet-reader"), Permissions = ["read"] });
        using var client = Client(reader.ApiKey);

        var top = await client.QueryAsync(new DataQueryRequest
        {
            Source = "jobs_db", Table = "jobs", Fields = ["job_id", "title", "location"],
            Filters = [QueryFilter.Contains("title", "engineer"), QueryFilter.In("location", "Austin, TX", "Remote")],
            OrderBy = ["-job_id"], Limit = 5,
        });
        Assert.Equal(5, top.RowCount);
        Assert.Equal(["job_id", "title", "location"], top.Columns.Select(c => c.Name));
        var ids = top.Rows.Select(r => r.GetProperty("job_id").GetInt32()).ToArray();
        Assert.Equal(ids.OrderDescending(), ids);

        var sources = await client.ListSourcesAsync();
        Assert.Contains(sources.DataSources, s => s.Name == "jobs_db");
        Assert.Contains(sources.DataSources, s => s.Name == "homebuilders_db");
        var schema = await client.GetSchemaAsync("homebuilders_db");
        var builders = Assert.Single(schema.Tables, t => t.Name == "builders");
        Assert.Equal("partial", Assert.Single(builders.Columns, c => c.Name == "contact_email").Mask);

        // Raw SQL needs a grant that hides nothing, or admin.
        var expected = Convert.ToInt64(DataGateway.ReadDirect(gateway.JobsFile, "SELECT COUNT(*) FROM jobs")[0][0]);
        var counted = await admin.ExecuteSqlAsync("SELECT COUNT(*) AS n FROM jobs WHERE job_id > 0", source: "jobs_db", maxRows: 1);
        Assert.Equal(expected, counted.Rows.Single().GetProperty("n").GetInt64());
        await Assert.ThrowsAsync<McpForbiddenException>(() => client.ExecuteSqlAsync("SELECT 1", source: "jobs_db"));
    }

    [Fact]
    public async Task Keys_are_created_listed_and_revoked()
    {
        using var admin = Client(GatewayFactory.AdminKey);
        var owner = Unique("dotnet-keys");
        var key = await admin.CreateKeyAsync(new CreateKeyRequest { Owner = owner, Permissions = ["read", "write"], RateLimit = "60/minute", ExpiresInDays = 30 });
        using var client = Client(key.ApiKey);

        var me = await client.GetCurrentKeyAsync();
        Assert.Equal((key.KeyId, owner, "60/minute", "active"), (me.KeyId, me.Owner, me.RateLimit, me.Status));
        var child = await client.CreateKeyAsync(new CreateKeyRequest { Owner = owner, Description = "ci", Permissions = ["read"] });
        var listed = await client.ListKeysAsync();
        Assert.Contains(listed.Items, k => k.KeyId == child.KeyId);
        Assert.Contains((await admin.ListKeysAsync(owner: owner)).Items, k => k.KeyId == key.KeyId);

        var revoked = await client.RevokeKeyAsync(child.KeyId);
        Assert.Equal("revoked", revoked.Status);
        using var revokedClient = Client(child.ApiKey);
        var e = await Assert.ThrowsAsync<McpAuthenticationException>(() => revokedClient.GetCurrentKeyAsync());
        Assert.Equal("invalid_api_key", e.Error);
        Assert.DoesNotContain(child.ApiKey, e.ToString());
    }

    [Fact]
    public async Task Models_are_registered_read_listed_and_deleted()
    {
        using var admin = Client(GatewayFactory.AdminKey);
        var name = Unique("dotnet-model");
        var registered = await admin.RegisterModelAsync(new RegisterModelRequest
        {
            Name = name, Version = "2.0.0", Provider = "builtin", Config = Sentiment, Description = "from the .NET client",
            DataSources = [new ModelDataSource("jobs_db", "read", ["title", "company"])],
        });

        var model = await admin.GetModelAsync($"{name}@2.0.0");
        Assert.Equal((registered.ModelId, "from the .NET client", "builtin"), (model.ModelId, model.Description, model.Provider));
        Assert.Equal(["title", "company"], model.DataSources.Single().RequiredFields);
        var listed = await admin.ListModelsAsync(new ModelListQuery(Name: name));
        Assert.Equal(registered.ModelId, Assert.Single(listed.Models).ModelId);
        var status = await admin.GetModelStatusAsync(registered.ModelId);
        Assert.Equal(registered.ModelId, status.ModelId);

        await admin.DeleteModelAsync(registered.ModelId);
        await Assert.ThrowsAsync<McpNotFoundException>(() => admin.GetModelAsync(registered.ModelId));
    }

    [Fact]
    public async Task Each_refusal_of_the_gateway_arrives_as_its_typed_exception()
    {
        await gateway.EnsureSamplesAsync();
        using var admin = Client(GatewayFactory.AdminKey);

        using var stranger = Client("mcp_zzzzzzzzzzzzzzzz_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
        var unauthenticated = await Assert.ThrowsAsync<McpAuthenticationException>(() => stranger.ListSourcesAsync());
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_api_key"), (unauthenticated.StatusCode, unauthenticated.Error));

        var reader = await admin.CreateKeyAsync(new CreateKeyRequest { Owner = Unique("dotnet-errors"), Permissions = ["read"] });
        using var readOnly = Client(reader.ApiKey);
        var forbidden = await Assert.ThrowsAsync<McpForbiddenException>(() => readOnly.PredictAsync("sentiment", Json("""{"text": "hi"}""")));
        Assert.Equal("forbidden", forbidden.Error);

        var missing = await Assert.ThrowsAsync<McpNotFoundException>(() => admin.GetModelAsync("no-such-model-anywhere"));
        Assert.Equal("not_found", missing.Error);
        var noSource = await Assert.ThrowsAsync<McpNotFoundException>(() => readOnly.QueryAsync("no_such_source", new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Equal("source", noSource.Field);

        var invalid = await Assert.ThrowsAsync<McpValidationException>(() => admin.PredictAsync("sentiment", Json("{}")));
        Assert.Equal((HttpStatusCode.BadRequest, "validation_error", "text"), (invalid.StatusCode, invalid.Error, invalid.Field));
        var badField = await Assert.ThrowsAsync<McpValidationException>(() => readOnly.QueryAsync(new DataQueryRequest
        {
            Source = "jobs_db", Table = "jobs", Filters = [QueryFilter.Eq("posted_date", "not a date")],
        }));
        Assert.Contains("posted_date", badField.Detail);

        // Two requests an hour: the third is refused with a wait far beyond MaxRetryDelay, so it is thrown at once.
        var slow = await admin.CreateKeyAsync(new CreateKeyRequest { Owner = Unique("dotnet-limited"), Permissions = ["read"], RateLimit = "2/hour" });
        using var limited = Client(slow.ApiKey);
        await limited.GetCurrentKeyAsync();
        await limited.GetCurrentKeyAsync();
        var started = TimeProvider.System.GetTimestamp();
        var tooMany = await Assert.ThrowsAsync<McpRateLimitException>(() => limited.GetCurrentKeyAsync());
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "the client waited instead of throwing");
        Assert.Equal("rate_limit_exceeded", tooMany.Error);
        Assert.InRange(tooMany.RetryAfter!.Value, TimeSpan.FromMinutes(50), TimeSpan.FromHours(1));
        Assert.NotNull(tooMany.ResetTime);

        // A model taken out of service answers 503 model_unavailable.
        var name = Unique("dotnet-down");
        var down = await admin.RegisterModelAsync(new RegisterModelRequest { Name = name, Provider = "builtin", Config = Sentiment });
        using (var http = gateway.CreateClient(GatewayFactory.AdminKey))
        {
            using var patched = await http.PatchAsJsonAsync($"/api/models/{down.ModelId}", new { status = "maintenance" });
            patched.EnsureSuccessStatusCode();
        }
        using var noRetries = Client(GatewayFactory.AdminKey, maxRetries: 0);
        var unavailable = await Assert.ThrowsAsync<McpUnavailableException>(() => noRetries.PredictAsync(down.ModelId, Json("""{"text": "hi"}""")));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "model_unavailable"), (unavailable.StatusCode, unavailable.Error));
    }
}
