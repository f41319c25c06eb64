using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Usage;

/// <summary>
/// Requests show up in the right minute of the cluster's, the key's, the model's and the source's timelines; each
/// timeline answers exactly whom its sibling report answers; the window's parameters are checked; minutes survive a
/// restart.
/// </summary>
[Trait("Tier", "Api")]
public sealed class UsageTimelineTests(DataGateway gateway) : IClassFixture<DataGateway>, IAsyncLifetime
{
    private readonly ModelServiceWireServer _service = new("svc-secret");

    public async Task InitializeAsync()
    {
        await _service.StartAsync();
        await gateway.EnsureSamplesAsync();
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private object Model(string name) => new
    {
        name,
        provider = "http",
        input_schema = new { type = "object", properties = new { amount = new { type = "number" } }, required = new[] { "amount" } },
        output_schema = new { type = "object", properties = new { risk = new { type = "number" }, flagged = new { type = "boolean" } } },
        config = new
        {
            url = new Uri(_service.BaseUri, "predict").ToString(),
            headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-secret" },
            max_retries = 0,
        },
    };

    [Fact]
    public async Task Requests_appear_in_their_minute_of_the_key_model_source_and_cluster_timelines()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = $"tl-{Guid.NewGuid():N}"[..20];
        var modelId = await admin.RegisterModelAsync(Model(name));
        var source = await gateway.PrivateJobsSourceAsync("tl_");
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "timeline-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read", "execute" } });
        using var client = gateway.CreateClient(apiKey);
        var started = DateTime.UtcNow;

        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.PostAsJsonAsync($"/api/models/{modelId}/predict", new { amount = i });
            await ok.AssertOkAsync();
        }
        _service.FailNext = 1;
        using (var failed = await client.PostAsJsonAsync($"/api/models/{modelId}/predict", new { amount = 1 }))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }
        using (var missing = await client.GetAsync("/api/models/no-such-model"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            await gateway.QueryOkAsync(admin, new { source, table = "jobs", fields = new[] { "job_id" }, limit = 4 });
        }

        // The key's five requests (one 5xx, one 4xx), read by an admin: the key's own reads would count as its requests.
        var key = await EventuallyTotalAsync(admin, $"/api/keys/{keyId}/usage/timeline?minutes=5", 5, "the key's requests");
        AssertShape(key, "key", keyId, started, stepMinutes: 1, points: 5);
        Assert.Equal((1, 1), (Sum(key, "server_errors"), Sum(key, "client_errors")));

        // The model by name: its four predictions, one a 502.
        var model = await EventuallyTotalAsync(admin, $"/api/models/{name}/metrics/timeline?minutes=10", 4, "the model's requests");
        AssertShape(model, "model", modelId, started, stepMinutes: 1, points: 10);
        Assert.Equal(1, Sum(model, "server_errors"));
        var byAlias = await admin.GetJsonAsync($"/api/models/{name}@latest/metrics/timeline?minutes=10");
        Assert.Equal(modelId, byAlias.GetProperty("id").GetString());

        // The source: two reads of four rows each, by the admin.
        var reads = await EventuallyTotalAsync(admin, $"/api/datasources/{source}/usage/timeline", 2, "the source's reads");
        AssertShape(reads, "source", source, started, stepMinutes: 1, points: 60);
        Assert.Equal(8, Sum(reads, "rows"));

        // The cluster in quarter-hour steps: at least all of the above (other requests share the gateway).
        var cluster = await EventuallyAsync(admin, "/summary/timeline?minutes=60&step=15", c => Sum(c, "requests") >= 7, "the cluster's requests");
        Assert.Equal(("cluster", "all", 900), (cluster.GetProperty("scope").GetString(), cluster.GetProperty("id").GetString(),
            cluster.GetProperty("step_seconds").GetInt32()));
        var quarters = Points(cluster).Select(p => At(p)).ToArray();
        Assert.Equal(4, quarters.Length);
        Assert.All(quarters, at => Assert.Equal(0, at.Minute % 15));
        Assert.Equal(Floor(DateTime.UtcNow, 15), quarters[^1], TimeSpan.FromMinutes(15));

        // The key's timeline in the default window: the same five requests.
        var byAdmin = await admin.GetJsonAsync($"/api/keys/{keyId}/usage/timeline");
        Assert.Equal(5, Sum(byAdmin, "requests"));
        Assert.Equal(60, Points(byAdmin).Count());

        // The key reads its own timeline, and that read is one more of its requests.
        var own = await client.GetJsonAsync($"/api/keys/{keyId}/usage/timeline?minutes=5");
        Assert.True(Sum(own, "requests") >= 5);
        await EventuallyTotalAsync(admin, $"/api/keys/{keyId}/usage/timeline?minutes=5", 6, "the key's read of its own timeline");
    }

    [Fact]
    public async Task Each_timeline_answers_only_whom_its_sibling_answers_and_checks_its_parameters()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var modelId = await admin.RegisterModelAsync(Model($"tl-{Guid.NewGuid():N}"[..20]));
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "tl-owner-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read" } });
        var (_, otherKey) = await gateway.CreateKeyAsync(new { owner = "tl-other-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read", "write", "execute" } });
        using var reader = gateway.CreateClient(apiKey);
        using var other = gateway.CreateClient(otherKey);

        // Another non-admin key: refused as the usage report refuses it.
        using (var sibling = await other.GetAsync($"/api/keys/{keyId}/usage"))
        using (var timeline = await other.GetAsync($"/api/keys/{keyId}/usage/timeline"))
        {
            Assert.Equal(sibling.StatusCode, timeline.StatusCode);
            await timeline.AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        }
        await (await reader.GetAsync("/api/keys/key_doesnotexist000000/usage/timeline")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await reader.GetAsync("/api/keys/not-a-key-id/usage/timeline")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await reader.GetAsync($"/api/keys/{keyId}/usage/timeline")).AssertOkAsync();

        // The cluster and a source's cross-key traffic are for admins, as /summary and a source's metrics are.
        await (await reader.GetAsync("/summary/timeline")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await other.GetAsync("/summary/timeline?minutes=5")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.GetAsync("/api/datasources/jobs_db/usage/timeline")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.GetAsync("/api/datasources/no_such_source/usage/timeline")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync("/api/datasources/..%2F..%2Fetc/usage/timeline")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        using (var noKey = gateway.CreateClient(null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await noKey.GetAsync("/summary/timeline")).StatusCode);
        }

        // A model's timeline is readable as its metrics are; an unknown model is 404.
        await (await reader.GetAsync($"/api/models/{modelId}/metrics/timeline")).AssertOkAsync();
        await (await reader.GetAsync("/api/models/no-such-model/metrics/timeline")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await reader.GetAsync("/api/models/mod_doesnotexist00000/metrics/timeline")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");

        foreach (var (query, field) in new[]
        {
            ("minutes=4", "minutes"), ("minutes=1441", "minutes"), ("minutes=abc", "minutes"), ("minutes=-5", "minutes"), ("minutes=", "minutes"),
            ("minutes=1e3", "minutes"), ("step=2", "step"), ("step=0", "step"), ("step=abc", "step"), ("minutes=5&step=15", "step"),
        })
        {
            foreach (var url in new[] { "/summary/timeline", $"/api/keys/{keyId}/usage/timeline", $"/api/models/{modelId}/metrics/timeline", "/api/datasources/jobs_db/usage/timeline" })
            {
                var error = await (await admin.GetAsync($"{url}?{query}")).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
                Assert.Equal(field, error.GetProperty("field").GetString());
            }
        }
    }

    [Fact]
    public async Task The_api_document_lists_the_timelines_with_integer_parameters()
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        var paths = (await client.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");
        // The document names the model route parameter model_id, as for every model route.
        foreach (var path in new[] { "/summary/timeline", "/api/keys/{key_id}/usage/timeline", "/api/models/{model_id}/metrics/timeline", "/api/datasources/{name}/usage/timeline" })
        {
            var parameters = paths.GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
                .ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
            foreach (var name in new[] { "minutes", "step" })
            {
                Assert.Equal("integer", parameters[name].GetProperty("schema").GetProperty("type").GetString());
                Assert.Equal("query", parameters[name].GetProperty("in").GetString());
            }
        }
    }

    [Fact]
    public async Task Minutes_survive_a_restart()
    {
        using var data = new TempDirectory();
        // A long persist interval: what survives was written when the silo deactivated the grains on shutdown.
        var settings = new Dictionary<string, string?> { ["Usage:PersistInterval"] = "00:01:00", ["DataSources:SeedSamples"] = "false" };
        string keyId;
        JsonElement before;
        await using (var first = new GatewayFactory(settings, data.Path))
        {
            (keyId, var apiKey) = await first.CreateKeyAsync(new { owner = "durable-timeline", permissions = new[] { "read" } });
            using var client = first.CreateClient(apiKey);
            for (var i = 0; i < 4; i++)
            {
                using var me = await client.GetAsync("/api/keys/me");
                await me.AssertOkAsync();
            }
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            before = await EventuallyTotalAsync(admin, $"/api/keys/{keyId}/usage/timeline?minutes=30", 4, "the key's requests");
        }

        await using var second = new GatewayFactory(settings, data.Path);
        using var reader = second.CreateClient(GatewayFactory.AdminKey);
        var after = await reader.GetJsonAsync($"/api/keys/{keyId}/usage/timeline?minutes=30");
        Assert.Equal(4, Sum(after, "requests"));
        var counted = Points(before).Where(p => p.GetProperty("requests").GetInt64() > 0).Select(p => (At(p), p.GetProperty("requests").GetInt64()));
        Assert.Equal(counted, Points(after).Where(p => p.GetProperty("requests").GetInt64() > 0).Select(p => (At(p), p.GetProperty("requests").GetInt64())));
        Assert.All(Points(after).Where(p => p.GetProperty("requests").GetInt64() > 0),
            p => Assert.True(p.GetProperty("latency_ms").GetProperty("p95").GetDouble() > 0));
    }

    private static Task<JsonElement> EventuallyTotalAsync(HttpClient client, string url, long requests, string what) =>
        EventuallyAsync(client, url, t => Sum(t, "requests") == requests, what);

    private static async Task<JsonElement> EventuallyAsync(HttpClient client, string url, Func<JsonElement, bool> done, string what)
    {
        JsonElement timeline = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            timeline = await client.GetJsonAsync(url);
            return done(timeline);
        }, TimeSpan.FromSeconds(20), what + " in " + url);
        return timeline;
    }

    /// <summary>Scope, id, UTC times aligned to the step, one point per step, and counts only between the test's start and now.</summary>
    private static void AssertShape(JsonElement timeline, string scope, string id, DateTime started, int stepMinutes, int points)
    {
        var now = DateTime.UtcNow;
        Assert.Equal(scope, timeline.GetProperty("scope").GetString());
        Assert.Equal(id, timeline.GetProperty("id").GetString());
        Assert.Equal(stepMinutes * 60, timeline.GetProperty("step_seconds").GetInt32());
        Assert.EndsWith("Z", timeline.GetProperty("from").GetString());
        Assert.EndsWith("Z", timeline.GetProperty("to").GetString());
        var all = Points(timeline).ToArray();
        Assert.Equal(points, all.Length);
        var ats = all.Select(At).ToArray();
        Assert.Equal(At(timeline.GetProperty("from")), ats[0]);
        Assert.All(all, p => Assert.EndsWith(":00Z", p.GetProperty("at").GetString()));
        Assert.Equal(ats.Order(), ats);
        Assert.All(ats.Zip(ats.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(stepMinutes), pair.Second - pair.First));
        // The last point is the minute in progress.
        Assert.Equal(Floor(now, stepMinutes), ats[^1], TimeSpan.FromMinutes(stepMinutes));
        foreach (var point in all)
        {
            var requests = point.GetProperty("requests").GetInt64();
            if (requests == 0)
            {
                Assert.Equal(JsonValueKind.Null, point.GetProperty("latency_ms").ValueKind);
                continue;
            }
            Assert.InRange(At(point), Floor(started, stepMinutes), now);
            Assert.True(point.GetProperty("latency_ms").GetProperty("p50").GetDouble() > 0);
            Assert.True(point.GetProperty("latency_ms").GetProperty("p95").GetDouble() >= point.GetProperty("latency_ms").GetProperty("p50").GetDouble());
        }
    }

    private static IEnumerable<JsonElement> Points(JsonElement timeline) => timeline.GetProperty("points").EnumerateArray();

    private static long Sum(JsonElement timeline, string counter) => Points(timeline).Sum(p => p.GetProperty(counter).GetInt64());

    private static DateTime At(JsonElement point) =>
        DateTime.Parse((point.ValueKind == JsonValueKind.Object ? point.GetProperty("at") : point).GetString()!, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private static DateTime Floor(DateTime utc, int minutes) =>
        new(utc.Ticks - utc.Ticks % (TimeSpan.TicksPerMinute * minutes), DateTimeKind.Utc);
}
