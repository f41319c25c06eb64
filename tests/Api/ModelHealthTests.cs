using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

/// <summary>Health loops and circuit breakers, driven by a real model service going down and coming back.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class ModelHealthTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ModelServiceWireServer _service = new("svc-secret");

    public Task InitializeAsync() => _service.StartAsync();

    public Task DisposeAsync() => _service.DisposeAsync().AsTask();

    private object Model(bool withHealthUrl) => new
    {
        name = $"health-{Guid.NewGuid():N}"[..30],
        provider = "http",
        config = new
        {
            url = new Uri(_service.BaseUri, "predict").ToString(),
            health_url = withHealthUrl ? new Uri(_service.BaseUri, "health").ToString() : null,
            headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-secret" },
            health_check_interval_seconds = 1,
            max_retries = 0,
        },
    };

    [Fact]
    public async Task A_backend_that_goes_down_is_taken_out_of_service_and_put_back_when_it_recovers()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(Model(withHealthUrl: true));
        await ModelTestHelpers.EventuallyAsync(async () => await admin.StatusOfAsync(id) == "active", Patience, "first health check to pass");

        _service.Down = true;
        await ModelTestHelpers.EventuallyAsync(async () => await admin.StatusOfAsync(id) == "error", Patience, "status to become error");

        var status = await admin.GetJsonAsync($"/api/models/{id}/status");
        Assert.False(status.GetProperty("last_health_check_passed").GetBoolean());
        Assert.Contains("503", status.GetProperty("last_error").GetString());
        var callsWhileDown = _service.Count("/predict");
        using (var refused = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }))
        {
            var error = await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable");
            Assert.Equal(id, error.GetProperty("model_id").GetString());
            Assert.Contains("health checks", error.GetProperty("detail").GetString());
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }
        Assert.Equal(callsWhileDown, _service.Count("/predict"));
        Assert.Contains(id, (await admin.GetJsonAsync("/api/models?status=error&limit=100")).GetRawText());

        _service.Down = false;
        await ModelTestHelpers.EventuallyAsync(async () => await admin.StatusOfAsync(id) == "active", Patience, "status to return to active");
        using (var served = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 5000 }))
        {
            Assert.Equal(0.5, (await served.AssertOkAsync()).GetProperty("risk").GetDouble());
        }
    }

    [Fact]
    public async Task Consecutive_failures_open_the_circuit_and_one_trial_closes_it_again()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(Model(withHealthUrl: false));
        _service.FailNext = 1000;

        for (var i = 0; i < 3; i++)
        {
            using var failed = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = i });
            await failed.AssertErrorAsync(HttpStatusCode.BadGateway, "model_error");
        }
        var callsAtTrip = _service.Count("/predict");
        using (var paused = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }))
        {
            var error = await paused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable");
            Assert.Contains("3 consecutive failures", error.GetProperty("detail").GetString());
        }
        Assert.Equal(callsAtTrip, _service.Count("/predict"));
        var status = await admin.GetJsonAsync($"/api/models/{id}/status");
        Assert.Equal("error", status.GetProperty("status").GetString());
        Assert.Equal("open", status.GetProperty("circuit").GetString());

        // Still failing after the break: the trial fails and the circuit opens again.
        // The first call the open circuit lets through after its break is the trial.
        using (var trial = await ModelTestHelpers.FirstAnswerOtherThanAsync(
            () => admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }), HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "the circuit to let a trial through"))
        {
            await trial.AssertErrorAsync(HttpStatusCode.BadGateway, "model_error");
        }
        using (var paused = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }))
        {
            await paused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable");
        }

        _service.FailNext = 0;
        using (var trial = await ModelTestHelpers.FirstAnswerOtherThanAsync(
            () => admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 2000 }), HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "the circuit to let a trial through"))
        {
            Assert.Equal(0.2, (await trial.AssertOkAsync()).GetProperty("risk").GetDouble());
        }
        status = await admin.GetJsonAsync($"/api/models/{id}/status");
        Assert.Equal("closed", status.GetProperty("circuit").GetString());
        Assert.Equal("active", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Maintenance_stops_routing_until_the_owner_reactivates_the_model()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(Model(withHealthUrl: true));

        using (var patched = await admin.PatchAsJsonAsync($"/api/models/{id}", new { status = "maintenance" }))
        {
            Assert.Equal("maintenance", (await patched.AssertOkAsync()).GetProperty("status").GetString());
        }
        using (var refused = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }))
        {
            Assert.Contains("maintenance", (await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable")).GetProperty("detail").GetString());
        }
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await admin.GetJsonAsync("/api/models?status=maintenance&limit=100")).GetRawText().Contains(id), Patience, "the listing to show maintenance");

        using (var patched = await admin.PatchAsJsonAsync($"/api/models/{id}", new { status = "active" }))
        {
            await patched.AssertOkAsync();
        }
        using (var served = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }))
        {
            await served.AssertOkAsync();
        }
        using (var invalid = await admin.PatchAsJsonAsync($"/api/models/{id}", new { status = "error" }))
        {
            await invalid.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
    }

    [Fact]
    public async Task A_model_whose_secret_variable_is_missing_reports_why_and_refuses_traffic()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(new
        {
            name = $"unset-{Guid.NewGuid():N}"[..30],
            provider = "http",
            config = new
            {
                url = new Uri(_service.BaseUri, "predict").ToString(),
                headers = new Dictionary<string, string> { ["X-Service-Key"] = "${NEVER_SET_ANYWHERE_API_KEY}" },
            },
        });

        await ModelTestHelpers.EventuallyAsync(async () => await admin.StatusOfAsync(id) == "error", Patience, "status to become error");
        var status = await admin.GetJsonAsync($"/api/models/{id}/status");
        Assert.Contains("NEVER_SET_ANYWHERE_API_KEY", status.GetProperty("last_error").GetString());
        using var refused = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 });
        Assert.Contains("NEVER_SET_ANYWHERE_API_KEY", (await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable")).GetProperty("detail").GetString());
        Assert.Equal(0, _service.Count("/predict"));
    }

    [Fact]
    public async Task A_health_check_can_be_run_on_demand()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(Model(withHealthUrl: true));
        var before = _service.Count("/health");

        using var response = await admin.PostAsync($"/api/models/{id}/health-check", null);

        var status = await response.AssertOkAsync();
        Assert.True(status.GetProperty("last_health_check_passed").GetBoolean());
        Assert.True(_service.Count("/health") > before);
    }
}
