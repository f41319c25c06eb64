using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15, item 4: a non-admin key must not make the silo resolve <c>${VAR}</c> from its environment (and send the
/// value to a URL of the caller's choosing). The listener is allowed for everyone by the operator's allowlist, so
/// only the reference rule stands between the secret and it.
/// </summary>
[Trait("Tier", "Api")]
public sealed class EnvironmentReferenceTests : IAsyncLifetime
{
    private const string Variable = "SECURITY_TEST_DEMO_API_KEY";
    private const string Secret = "operator-secret-value-5f1c";

    private readonly OpenAiWireServer _listener = new("sk-anything", "m1");
    private readonly ModelServiceWireServer _service = new("svc-secret");
    private GatewayFactory _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(Variable, Secret);
        await _listener.StartAsync();
        await _service.StartAsync();
        _gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Outbound:AllowedTargets:0"] = $"127.0.0.1:{_listener.BaseUri.Port}",
            ["Outbound:AllowedTargets:1"] = $"127.0.0.1:{_service.BaseUri.Port}",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _listener.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task A_non_admin_cannot_reference_an_environment_variable_and_the_value_never_reaches_the_listener()
    {
        using var stranger = await _gateway.NonAdminClientAsync("env-stranger");
        var name = SecurityGateway.UniqueName("env-steal");
        using (var register = await stranger.PostAsJsonAsync("/api/models", new
        {
            name, provider = "openai",
            config = new { provider_model = "m1", base_url = _listener.V1.ToString(), api_key = $"${{{Variable}}}" },
        }))
        {
            var error = await register.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("config.api_key", error.GetProperty("field").GetString());
        }
        // Had it been registered, a health check would have sent the variable's value to the listener.
        using (var check = await stranger.PostAsync($"/api/models/{name}/health-check", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
        }

        // The same through a header of a tool.
        using (var tool = await stranger.PostAsJsonAsync("/tools", new
        {
            name = SecurityGateway.UniqueName("env-tool"),
            url = new Uri(_service.BaseUri, "predict").ToString(),
            headers = new Dictionary<string, string> { ["X-Service-Key"] = $"${{{Variable}}}" },
        }))
        {
            var error = await tool.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("config.headers.X-Service-Key", error.GetProperty("field").GetString());
        }

        // And through a PATCH of the caller's own model.
        var own = await stranger.RegisterModelAsync(new
        {
            name = SecurityGateway.UniqueName("env-own"), provider = "openai",
            config = new { provider_model = "m1", base_url = _listener.V1.ToString(), api_key = "sk-anything" },
        });
        using (var patch = await stranger.PatchAsJsonAsync($"/api/models/{own}", new { config = new { api_key = $"${{{Variable}}}" } }))
        {
            var error = await patch.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("config.api_key", error.GetProperty("field").GetString());
        }
        using (var check = await stranger.PostAsync($"/api/models/{own}/health-check", null))
        {
            await check.AssertOkAsync();
        }

        Assert.DoesNotContain(_listener.Requests.Concat(_service.Requests), r => r.Headers.Values.Any(v => v.Contains(Secret)) || r.Body.Contains(Secret));
    }

    [Fact]
    public async Task An_admin_may_reference_an_environment_variable()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(new
        {
            name = SecurityGateway.UniqueName("env-admin"), provider = "openai",
            config = new { provider_model = "m1", base_url = _listener.V1.ToString(), api_key = $"${{{Variable}}}" },
        });
        using var check = await admin.PostAsync($"/api/models/{id}/health-check", null);
        await check.AssertOkAsync();
        Assert.Contains(_listener.Requests, r => r.Headers.TryGetValue("Authorization", out var auth) && auth == $"Bearer {Secret}");
    }
}
