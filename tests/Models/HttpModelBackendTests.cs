using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Models;

[Trait("Tier", "Unit")]
public sealed class HttpModelBackendTests : IAsyncLifetime
{
    private readonly ModelServiceWireServer _server = new("svc-secret");

    public Task InitializeAsync() => _server.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private ModelBackend Backend(bool batch = false, string path = "predict", bool health = true) =>
        BackendHarness.Create("http", new JsonObject
        {
            ["url"] = new Uri(_server.BaseUri, path).ToString(),
            ["batch_url"] = batch ? new Uri(_server.BaseUri, "batch").ToString() : null,
            ["health_url"] = health ? new Uri(_server.BaseUri, "health").ToString() : null,
            ["headers"] = new JsonObject { ["X-Service-Key"] = "svc-secret" },
        });

    [Fact]
    public async Task Posts_the_input_and_returns_the_services_json()
    {
        await using var backend = Backend();
        var output = await backend.PredictAsync(new JsonObject { ["amount"] = 7500 }, default);

        Assert.Equal(0.75, output!["risk"]!.GetValue<double>());
        Assert.True(output["flagged"]!.GetValue<bool>());
        var sent = Assert.Single(_server.Requests);
        Assert.Equal("svc-secret", sent.Headers["X-Service-Key"]);
        Assert.Equal(7500, JsonNode.Parse(sent.Body)!["amount"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_batch_url_makes_a_batch_one_call()
    {
        await using var batched = Backend(batch: true);
        var outputs = await batched.PredictBatchAsync([new JsonObject { ["amount"] = 100 }, new JsonObject { ["amount"] = 9000 }], default);

        Assert.Equal([0.01, 0.9], outputs.Select(o => o!["risk"]!.GetValue<double>()));
        Assert.Single(_server.Requests);

        await using var unbatched = Backend();
        await unbatched.PredictBatchAsync([new JsonObject { ["amount"] = 1 }, new JsonObject { ["amount"] = 2 }], default);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task A_non_json_answer_is_a_provider_error()
    {
        await using var backend = Backend(path: "not-json");

        var error = await Assert.ThrowsAsync<ModelBackendException>(() => backend.PredictAsync(new JsonObject(), default));

        Assert.Contains("not JSON", error.Message);
    }

    [Fact]
    public async Task Health_follows_the_health_url_and_is_passive_without_one()
    {
        await using var checkedBackend = Backend();
        await using var passive = Backend(health: false);

        Assert.True((await checkedBackend.CheckHealthAsync(default)).Healthy);
        _server.Down = true;
        Assert.False((await checkedBackend.CheckHealthAsync(default)).Healthy);
        Assert.True((await passive.CheckHealthAsync(default)).Healthy);
    }
}
