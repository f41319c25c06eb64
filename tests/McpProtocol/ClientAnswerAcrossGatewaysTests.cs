using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Cluster;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using Microsoft.Extensions.Hosting;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// Two silos meeting in PostgreSQL and two gateways as their clients: a federated upstream's sampling request, sent
/// to the client on the tool call's stream from gateway A, is answered with a POST to gateway B, and the answer reaches
/// the upstream through A. An answer posted from another session is not taken.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class ClientAnswerAcrossGatewaysTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly InProcessSilos _silos = new();
    private readonly ConformanceFixtureServer _upstream = new();
    private string _connectionString = "";
    private string _clusterId = "";

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("clientanswers");
        _clusterId = $"answers-{Guid.NewGuid():N}"[..20];
        await _upstream.StartAsync();
    }

    [Fact]
    public async Task A_sampling_answer_posted_to_another_gateway_reaches_the_upstream_and_only_from_its_session()
    {
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
        var onA = new Uri(adminOnA.BaseAddress!, "/mcp");
        var onB = new Uri(adminOnB.BaseAddress!, "/mcp");
        using (var registered = await adminOnA.PostAsJsonAsync("/integrations", new { name = "fixtures", url = _upstream.McpEndpoint.ToString(), expose_unprefixed = true }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        var (_, key) = await gatewayA.CreateKeyAsync(new { owner = "sampler", permissions = new[] { "read", "execute" } });
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var session = new McpSseSession(http, key);
        await session.InitializeAsync(onA, """{"sampling":{}}""");
        var other = new McpSseSession(http, key);
        await other.InitializeAsync(onB, """{"sampling":{}}""");
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            using var listed = await http.SendAsync(session.Post(onB, """{"jsonrpc":"2.0","id":3,"method":"tools/list"}"""));
            return (await listed.Content.ReadAsStringAsync()).Contains("test_sampling");
        }, TimeSpan.FromSeconds(30), "gateway B to list the federated tool");

        using var call = await session.OpenAsync(session.Post(onA,
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"Which gateway?"}}}"""));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        await using var events = McpSseSession.ReadAsync(call).GetAsyncEnumerator();
        string? requestId = null;
        while (requestId is null && await events.MoveNextAsync())
        {
            if (events.Current.Message is { } message && message.TryGetProperty("method", out var method) && method.GetString() == "sampling/createMessage")
            {
                requestId = message.GetProperty("id").GetString();
                Assert.Equal("Which gateway?", message.GetProperty("params").GetProperty("messages")[0].GetProperty("content").GetProperty("text").GetString());
            }
        }
        Assert.NotNull(requestId);
        Assert.StartsWith("mcpc.", requestId);

        // Another session of the same key cannot answer for this one (the answer is taken, and dropped)...
        using (var forged = await http.SendAsync(other.Post(onB, Answer(requestId, "forged"))))
        {
            Assert.Equal(HttpStatusCode.Accepted, forged.StatusCode);
        }
        // ...the session the request went to can, through the other gateway.
        using (var answered = await http.SendAsync(session.Post(onB, Answer(requestId, "answered on B"))))
        {
            Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        }
        string? text = null;
        while (text is null && await events.MoveNextAsync())
        {
            if (events.Current.Message is { } message && message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == 1)
            {
                text = message.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString();
            }
        }
        Assert.Equal("LLM response: answered on B", text);
    }

    private static string Answer(string requestId, string text) =>
        JsonSerializer.Serialize(new { jsonrpc = "2.0", id = requestId, result = new { role = "assistant", model = "test", content = new { type = "text", text } } });

    private Dictionary<string, string?> ClusterSettings() => new()
    {
        ["Cluster:Mode"] = "Postgres",
        ["Cluster:ClusterId"] = _clusterId,
        ["Cluster:ServiceId"] = _clusterId,
        ["Cluster:Postgres:ConnectionString"] = _connectionString,
        ["Cluster:AdvertisedAddress"] = "127.0.0.1",
        ["Cluster:DataDirectory"] = _data.Path,
        ["Models:SeedBuiltInModels"] = "false",
        ["DataSources:SeedSamples"] = "false",
    };

    private Task<IHost> StartSiloAsync(int instance) => _silos.StartAsync(ClusterSettings(), instance);

    public async Task DisposeAsync()
    {
        await _silos.DisposeAsync();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
