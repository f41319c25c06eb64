using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15, item 4: a stored secret stays bound to the target it was given for. Moving a model's requests elsewhere
/// while sending <c>********</c> ("keep the stored secret") would hand the secret to the new host; a non-admin must
/// send the secret again. Both hosts are allowlisted, so only that rule decides.
/// </summary>
[Trait("Tier", "Api")]
public sealed class SecretBindingTests : IAsyncLifetime
{
    private readonly OpenAiWireServer _original = new("sk-original-secret", "m1");
    private readonly OpenAiWireServer _elsewhere = new("sk-elsewhere", "m1");
    private readonly ModelServiceWireServer _service = new("svc-original-secret");
    private readonly ModelServiceWireServer _otherService = new("svc-other");
    private GatewayFactory _gateway = null!;

    public async Task InitializeAsync()
    {
        foreach (var server in new WireServer[] { _original, _elsewhere, _service, _otherService })
        {
            await server.StartAsync();
        }
        _gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Outbound:AllowedTargets:0"] = $"127.0.0.1:{_original.BaseUri.Port}",
            ["Outbound:AllowedTargets:1"] = $"127.0.0.1:{_elsewhere.BaseUri.Port}",
            ["Outbound:AllowedTargets:2"] = $"127.0.0.1:{_service.BaseUri.Port}",
            ["Outbound:AllowedTargets:3"] = $"127.0.0.1:{_otherService.BaseUri.Port}",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var server in new WireServer[] { _original, _elsewhere, _service, _otherService })
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Changing_base_url_while_keeping_the_stored_key_is_refused_for_a_non_admin_and_allowed_with_the_key_sent_again()
    {
        using var owner = await _gateway.NonAdminClientAsync("binding-owner");
        var id = await owner.RegisterModelAsync(new
        {
            name = SecurityGateway.UniqueName("bound"), provider = "openai",
            config = new { provider_model = "m1", base_url = _original.V1.ToString(), api_key = "sk-original-secret" },
        });

        using (var masked = await owner.PatchAsJsonAsync($"/api/models/{id}", new { config = new { base_url = _elsewhere.V1.ToString(), api_key = "********" } }))
        {
            var error = await masked.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("config.base_url", error.GetProperty("field").GetString());
            Assert.Contains("config.api_key", error.GetProperty("detail").GetString());
        }
        using (var omitted = await owner.PatchAsJsonAsync($"/api/models/{id}", new { config = new { base_url = _elsewhere.V1.ToString() } }))
        {
            await omitted.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var check = await owner.PostAsync($"/api/models/{id}/health-check", null))
        {
            await check.AssertOkAsync();
        }
        Assert.DoesNotContain(_elsewhere.Requests, r => r.Headers.Values.Any(v => v.Contains("sk-original-secret")));

        using (var resent = await owner.PatchAsJsonAsync($"/api/models/{id}", new { config = new { base_url = _elsewhere.V1.ToString(), api_key = "sk-elsewhere" } }))
        {
            await resent.AssertOkAsync();
        }
        using (var check = await owner.PostAsync($"/api/models/{id}/health-check", null))
        {
            Assert.True((await check.AssertOkAsync()).GetProperty("last_health_check_passed").GetBoolean());
        }
    }

    [Fact]
    public async Task Changing_a_tools_url_or_headers_needs_its_header_secret_again_unless_an_admin_does_it()
    {
        using var owner = await _gateway.NonAdminClientAsync("binding-tool");
        var name = SecurityGateway.UniqueName("bound-tool");
        using (var registered = await owner.PostAsJsonAsync("/tools", new
        {
            name, url = new Uri(_service.BaseUri, "predict").ToString(),
            headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-original-secret" },
        }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        var otherUrl = new Uri(_otherService.BaseUri, "predict").ToString();
        using (var moved = await owner.PatchAsJsonAsync($"/api/models/{name}", new { config = new { url = otherUrl } }))
        {
            Assert.Equal("config.url", (await moved.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden")).GetProperty("field").GetString());
        }
        using (var headerAdded = await owner.PatchAsJsonAsync($"/api/models/{name}", new { config = new { headers = new Dictionary<string, string> { ["X-Extra"] = "1" } } }))
        {
            Assert.Equal("config.headers", (await headerAdded.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden")).GetProperty("field").GetString());
        }
        using (var unrelated = await owner.PatchAsJsonAsync($"/api/models/{name}", new { description = "still here", config = new { timeout_seconds = 20 } }))
        {
            await unrelated.AssertOkAsync();
        }

        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using (var byAdmin = await admin.PatchAsJsonAsync($"/api/models/{name}", new { config = new { url = otherUrl, headers = new Dictionary<string, string> { ["X-Service-Key"] = "********" } } }))
        {
            await byAdmin.AssertOkAsync();
        }
    }
}
