using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>Issue 15, item 5: with <c>Outbound:AllowPublicTargets=false</c> non-admin keys reach only the allowlist.</summary>
[Trait("Tier", "Api")]
public sealed class ClosedOutboundTests : IAsyncLifetime
{
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Outbound:AllowPublicTargets"] = "false",
        ["Outbound:AllowedTargets:0"] = "models.example",
        ["Outbound:AllowedTargets:1"] = "203.0.113.0/24",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Only_allowlisted_targets_are_accepted_from_a_non_admin()
    {
        using var user = await _gateway.NonAdminClientAsync("closed");
        // http models without health_url send nothing until called: nothing here is contacted.
        foreach (var url in new[] { "https://models.example/predict", "http://203.0.113.7:8080/predict" })
        {
            using var allowed = await user.PostAsJsonAsync("/tools", new { name = SecurityGateway.UniqueName("closed-ok"), url });
            await allowed.AssertOkAsync(HttpStatusCode.Created);
        }
        foreach (var url in new[] { "https://public.example/predict", "http://198.51.100.7/predict", "http://127.0.0.1/predict" })
        {
            using var refused = await user.PostAsJsonAsync("/tools", new { name = SecurityGateway.UniqueName("closed-no"), url });
            Assert.Equal("config.url", (await refused.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden")).GetProperty("field").GetString());
        }
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using var byAdmin = await admin.PostAsJsonAsync("/tools", new { name = SecurityGateway.UniqueName("closed-admin"), url = "https://public.example/predict" });
        await byAdmin.AssertOkAsync(HttpStatusCode.Created);
    }
}
