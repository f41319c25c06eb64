using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// Silos hosted exactly as <c>dotnet run --project silo</c> hosts them with <c>Cluster:Mode=Postgres</c>, meeting in
/// mcp_cluster_member, and gateways running as Orleans clients that find them there.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class PostgresMembershipTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly InProcessSilos _silos = new();
    private string _connectionString = "";
    private string _clusterId = "";
    private string? _redis;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("membership");
        _clusterId = $"members-{Guid.NewGuid():N}"[..20];
    }

    [Fact]
    public async Task Silos_meet_in_postgres_and_a_revocation_or_model_change_on_one_gateway_holds_on_the_next_request_at_another()
    {
        var first = await StartSiloAsync(instance: 0);
        await StartSiloAsync(instance: 1);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM mcp_cluster_member WHERE status = 3 AND proxy_port > 0"));

        await using var gatewayA = new GatewayFactory(ClusterSettings());
        await using var gatewayB = new GatewayFactory(ClusterSettings());
        var (keyId, apiKey) = await gatewayA.CreateKeyAsync(new { owner = "carol", permissions = new[] { "read" } });
        using var onB = gatewayB.CreateClient(apiKey);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/keys/me")).StatusCode);
        var ready = await (await onB.GetAsync("/health/ready")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("ok", ready.GetProperty("checks").GetProperty("postgres").GetString());

        using var adminOnA = gatewayA.CreateClient(GatewayFactory.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await adminOnA.DeleteAsync($"/api/keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/keys/me")).StatusCode);

        // A model change made through one gateway routes the next prediction through the other.
        using var adminOnB = gatewayB.CreateClient(GatewayFactory.AdminKey);
        var model = await adminOnA.RegisterModelAsync(new { name = "cluster-sentiment", provider = "builtin", config = new { task = "classification" } });
        Assert.Equal(HttpStatusCode.OK, (await adminOnB.PostAsJsonAsync($"/api/models/{model}/predict", new { text = "great" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminOnA.PatchAsJsonAsync($"/api/models/{model}", new { status = "maintenance", description = "paused" })).StatusCode);
        // The executor that serves B may be on a silo that neither the model grain nor A told: it follows the change
        // at the end of its plan lease (Models:ExecutorPlanLease, 2 s), the documented bound.
        using var paused = await ModelTestHelpers.FirstAnswerOtherThanAsync(
            () => adminOnB.PostAsJsonAsync($"/api/models/{model}/predict", new { text = "great" }), HttpStatusCode.OK, TimeSpan.FromSeconds(10),
            "the maintenance to reach the executor serving gateway B");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, paused.StatusCode);
        Assert.Equal("paused", (await adminOnB.GetJsonAsync($"/api/models/{model}")).GetProperty("description").GetString());

        // A silo that shuts down says so in the table; the other keeps serving.
        await first.StopAsync();
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM mcp_cluster_member WHERE status = 6"));
        await ModelTestHelpers.EventuallyAsync(async () => (await adminOnB.GetAsync($"/api/keys/{keyId}")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the key to be served by the remaining silo");
    }

    [Fact]
    public async Task Data_sources_serve_across_silos_and_gateways_with_the_audit_in_postgres_and_the_cache_in_redis()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            _redis = redis.Configuration;
            Mcp.Cluster.DataSources.Samples.SampleDatabases.EnsureCreated(_data.Path, DateTimeOffset.UtcNow);
            await StartSiloAsync(instance: 0);
            await StartSiloAsync(instance: 1);
            await using var gatewayA = new GatewayFactory(ClusterSettings());
            await using var gatewayB = new GatewayFactory(ClusterSettings());
            using var adminOnA = gatewayA.CreateClient(GatewayFactory.AdminKey);
            using (var created = await adminOnA.PostAsJsonAsync("/api/datasources", new
            {
                name = "cluster_jobs", type = "sqlite", config = new { path = Path.Combine(_data.Path, "samples", "jobs.db") },
                masks = new Dictionary<string, string> { ["jobs.company"] = "hash" },
            }))
            {
                Assert.Equal("active", (await created.AssertOkAsync(HttpStatusCode.Created)).GetProperty("status").GetString());
            }
            var (keyId, apiKey) = await gatewayA.CreateKeyAsync(new { owner = "dora", permissions = new[] { "read" } });
            using (var granted = await adminOnA.PutAsJsonAsync($"/api/datasources/cluster_jobs/grants/{keyId}",
                new { tables = new { jobs = new { fields = new[] { "job_id", "company" } } } }))
            {
                await granted.AssertOkAsync();
            }

            using var onB = gatewayB.CreateClient(apiKey);
            using var onA = gatewayA.CreateClient(apiKey);
            var query = new { source = "cluster_jobs", table = "jobs", order_by = "job_id", limit = 5 };
            using var first = await onB.PostAsJsonAsync("/api/data/query", query);
            var firstBody = await first.AssertOkAsync();
            Assert.False(firstBody.GetProperty("cached").GetBoolean());
            Assert.All(firstBody.GetProperty("rows").EnumerateArray(), r => Assert.StartsWith("h_", r.GetProperty("company").GetString()));
            using var second = await onA.PostAsJsonAsync("/api/data/query", query);
            var secondBody = await second.AssertOkAsync();
            Assert.True(secondBody.GetProperty("cached").GetBoolean());
            Assert.Equal(firstBody.GetProperty("rows").GetRawText(), secondBody.GetProperty("rows").GetRawText());

            // The audit is in the cluster database and readable through any gateway.
            Assert.Equal(2, await CountAsync($"SELECT count(*) FROM mcp_data_audit WHERE key_id = '{keyId}' AND decision = 'allowed'"));
            using var adminOnB = gatewayB.CreateClient(GatewayFactory.AdminKey);
            var audit = await adminOnB.GetFromJsonAsync<JsonElement>($"/api/audit?key_id={keyId}");
            Assert.Equal([true, false], audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("cached").GetBoolean()));

            // The cached rows are in Redis, the second level every silo shares.
            await ModelTestHelpers.EventuallyAsync(async () =>
            {
                await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration);
                return connection.GetServer(redis.Configuration).Keys(pattern: "*mcp:data:cluster_jobs:*").Any();
            }, TimeSpan.FromSeconds(10), "the cached result to reach Redis");
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_mcp_session_continues_on_another_gateway_and_changes_on_one_gateway_notify_sessions_on_the_other()
    {
        Mcp.Cluster.DataSources.Samples.SampleDatabases.EnsureCreated(_data.Path, DateTimeOffset.UtcNow);
        await StartSiloAsync(instance: 0);
        await StartSiloAsync(instance: 1);
        await using var gatewayA = new GatewayFactory(ClusterSettings());
        await using var gatewayB = new GatewayFactory(ClusterSettings());
        gatewayA.UseKestrel(0);
        gatewayA.StartServer();
        gatewayB.UseKestrel(0);
        gatewayB.StartServer();
        using var adminOnA = gatewayA.CreateClient(GatewayFactory.AdminKey);
        using var adminOnB = gatewayB.CreateClient(GatewayFactory.AdminKey);
        var urlA = adminOnA.BaseAddress!.ToString().TrimEnd('/');
        var urlB = adminOnB.BaseAddress!.ToString().TrimEnd('/');
        using (var created = await adminOnA.PostAsJsonAsync("/api/datasources", new
        {
            name = "cluster_watch", type = "sqlite", config = new { path = Path.Combine(_data.Path, "samples", "jobs.db") }, default_access = "read",
        }))
        {
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        var (_, key) = await gatewayA.CreateKeyAsync(new { owner = "roamer", permissions = new[] { "read", "execute" } });
        var (_, otherKey) = await gatewayA.CreateKeyAsync(new { owner = "intruder", permissions = new[] { "read", "execute" } });

        // A session opened on B continues on A (its state is in a grain); another key cannot take it over.
        using var http = new HttpClient();
        var (sessionId, _) = await McpPostAsync(http, urlB + "/mcp", key, null,
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"roamer","version":"1"}}}""");
        Assert.NotNull(sessionId);
        await McpPostAsync(http, urlB + "/mcp", key, sessionId, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        var (_, tools) = await McpPostAsync(http, urlA + "/mcp", key, sessionId, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        Assert.Contains("data.query", tools);
        using (var stolen = await SendMcpAsync(http, urlA + "/mcp", otherKey, sessionId, """{"jsonrpc":"2.0","id":3,"method":"tools/list"}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        }

        // The official client on B is notified of changes made through A.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var seen = await NodeClients.RunAsync("mcp-notifications.mjs", new Dictionary<string, string>
        {
            ["MCP_URL"] = urlB + "/mcp",
            ["API_KEY"] = key,
            ["CHANGE_URL"] = urlA,
            ["ADMIN_KEY"] = GatewayFactory.AdminKey,
            ["SOURCE"] = "cluster_watch",
            ["MODEL_NAME"] = "roaming-" + suffix,
            ["PROMPT_NAME"] = "roaming-" + suffix,
        }, TimeSpan.FromMinutes(2));
        Assert.Contains("datasource://cluster_watch", seen.GetProperty("updated").EnumerateArray().Select(u => u.GetString()));
        Assert.True(seen.GetProperty("toolsListChanged").GetInt32() >= 1);
        Assert.True(seen.GetProperty("promptsListChanged").GetInt32() >= 1);
        Assert.True(seen.GetProperty("newTool").GetBoolean());
    }

    private static async Task<HttpResponseMessage> SendMcpAsync(HttpClient http, string url, string key, string? sessionId, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("X-API-Key", key);
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }
        return await http.SendAsync(request);
    }

    private static async Task<(string? SessionId, string Body)> McpPostAsync(HttpClient http, string url, string key, string? sessionId, string body)
    {
        using var response = await SendMcpAsync(http, url, key, sessionId, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return (response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.First() : null, text);
    }

    [Fact]
    public async Task A_silo_on_a_database_without_the_schema_refuses_to_start_and_names_the_script()
    {
        _connectionString = await postgres.CreateDatabaseAsync("unprepared", applySchema: false);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartSiloAsync(instance: 0));

        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains("has no MCP Cluster schema", messages);
        Assert.Contains("deploy/postgres/schema.sql", messages);
    }

    private Dictionary<string, string?> ClusterSettings() => new()
    {
        ["DataSources:Cache:Redis"] = _redis,
        ["Cluster:Mode"] = "Postgres",
        ["Cluster:ClusterId"] = _clusterId,
        ["Cluster:ServiceId"] = _clusterId,
        ["Cluster:Postgres:ConnectionString"] = _connectionString,
        ["Cluster:AdvertisedAddress"] = "127.0.0.1",
        ["Cluster:DataDirectory"] = _data.Path,
    };

    private Task<IHost> StartSiloAsync(int instance) => _silos.StartAsync(ClusterSettings(), instance);

    private Task<long> CountAsync(string sql) => PostgresServer.ScalarAsync<long>(_connectionString, sql);

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _silos.DisposeAsync();
        _data.Dispose();
    }
}
