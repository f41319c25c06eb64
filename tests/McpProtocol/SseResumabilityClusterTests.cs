using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Cluster;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using Microsoft.Extensions.Hosting;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// Two silos meeting in PostgreSQL and two gateways as their clients: a call whose stream is lost on gateway A is
/// resumed with <c>Last-Event-ID</c> on gateway B, and every message arrives exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class SseResumabilityClusterTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly InProcessSilos _silos = new();
    private readonly McpFixtureServer _upstream = new("fixture-secret");
    private string _connectionString = "";
    private string _clusterId = "";

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("sseresume");
        _clusterId = $"resume-{Guid.NewGuid():N}"[..20];
        await _upstream.StartAsync();
    }

    [Fact]
    public async Task A_call_whose_stream_is_lost_on_one_gateway_is_resumed_on_another_with_every_message_once()
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
        using (var registered = await adminOnA.PostAsJsonAsync("/integrations", new
        {
            name = "fixture", url = _upstream.McpEndpoint.ToString(), headers = new Dictionary<string, string> { ["Authorization"] = "Bearer fixture-secret" },
        }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        var (_, key) = await gatewayA.CreateKeyAsync(new { owner = "roamer", permissions = new[] { "read", "execute" } });
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var session = new McpSseSession(http, key);
        await session.InitializeAsync(onA);
        // Gateway B learns the integration's tools from the catalog like any request would.
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            using var listed = await http.SendAsync(session.Post(onB, """{"jsonrpc":"2.0","id":3,"method":"tools/list"}"""));
            return (await listed.Content.ReadAsStringAsync()).Contains("fixture.slow_count");
        }, TimeSpan.FromSeconds(30), "gateway B to list the federated tool");

        var (before, lastSeen) = await SseResumabilityTests.CallAndDropAfterFirstProgressAsync(session, onA, steps: 8);
        using var resumed = await session.OpenAsync(session.Resume(onB, lastSeen));
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var after = await McpSseSession.ReadAsync(resumed).ToListAsync();

        SseResumabilityTests.AssertExactlyOnceThroughTheResult(before, after, steps: 8);
    }

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
