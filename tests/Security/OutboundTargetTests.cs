using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15, item 5, on the default configuration (no allowlist): a non-admin key may not point a model, a tool or a
/// model's new URL at an internal address in any notation; an admin may. Nothing outside loopback is ever contacted,
/// not even on the old code, where these registrations succeeded: internal addresses go only into <c>http</c> models
/// without <c>health_url</c>, which send nothing until called, and the settings of providers with a health loop point
/// at a closed loopback port.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class OutboundTargetTests(SharedGatewayFactory gateway)
{
    public static TheoryData<string> InternalHosts => new()
    {
        "127.0.0.1", "127.0.0.53", "[::1]", "0x7f000001", "2130706433", "0177.0.0.1", "127.1", "localhost", "api.localhost",
        "169.254.169.254", "10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
        "[fd00::1]", "[fe80::1]", "[::ffff:127.0.0.1]", "[::ffff:169.254.169.254]", "[::]", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::1]",
    };

    [Theory]
    [MemberData(nameof(InternalHosts))]
    public async Task A_non_admin_cannot_register_a_model_at_an_internal_address(string host)
    {
        using var stranger = await gateway.NonAdminClientAsync("ssrf-model");
        using var response = await stranger.PostAsJsonAsync("/api/models", new
        {
            name = SecurityGateway.UniqueName("ssrf"), provider = "http", config = new { url = $"http://{host}:9/predict" },
        });
        var error = await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("config.url", error.GetProperty("field").GetString());
    }

    [Theory]
    [MemberData(nameof(InternalHosts))]
    public async Task A_non_admin_cannot_register_a_tool_at_an_internal_address(string host)
    {
        using var stranger = await gateway.NonAdminClientAsync("ssrf-tool");
        using var response = await stranger.PostAsJsonAsync("/tools", new { name = SecurityGateway.UniqueName("ssrf-tool"), url = $"http://{host}/latest/meta-data/" });
        var error = await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("config.url", error.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("openai", "base_url")]
    [InlineData("huggingface", "endpoint_url")]
    [InlineData("huggingface", "base_url")]
    [InlineData("http", "health_url")]
    [InlineData("http", "batch_url")]
    public async Task Every_url_setting_of_every_provider_is_checked(string provider, string setting)
    {
        using var stranger = await gateway.NonAdminClientAsync("ssrf-settings");
        var config = new Dictionary<string, object> { [setting] = "http://127.0.0.1:9/" };
        if (provider == "http")
        {
            config["url"] = "https://service.example/predict";
        }
        else
        {
            config["provider_model"] = "m";
        }
        using var response = await stranger.PostAsJsonAsync("/api/models", new { name = SecurityGateway.UniqueName("ssrf-set"), provider, config });
        Assert.Equal($"config.{setting}", (await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden")).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_non_admin_cannot_move_a_model_to_an_internal_address_but_an_admin_can_register_there()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        // Loopback forms only: the admin's models are checked by their health loop, and nothing listens on port 9.
        foreach (var host in new[] { "127.0.0.1", "[::1]", "0x7f000001", "localhost" })
        {
            await admin.RegisterModelAsync(new
            {
                name = SecurityGateway.UniqueName("admin-internal"), provider = "openai",
                config = new { provider_model = "m1", base_url = $"http://{host}:9/v1/", health_check_interval_seconds = 3600 },
            });
        }

        using var stranger = await gateway.NonAdminClientAsync("ssrf-patch");
        // An http model without health_url sends nothing until it is called, so its public placeholder is never contacted.
        var id = await stranger.RegisterModelAsync(new
        {
            name = SecurityGateway.UniqueName("patched"), provider = "http", config = new { url = "https://service.example/predict" },
        });
        using var response = await stranger.PatchAsJsonAsync($"/api/models/{id}", new { config = new { url = "http://[::ffff:7f00:1]:9/predict" } });
        Assert.Equal("config.url", (await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden")).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Only_http_and_https_targets_are_accepted()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/models", new
        {
            name = SecurityGateway.UniqueName("scheme"), provider = "openai", config = new { provider_model = "m1", base_url = "file:///etc/passwd" },
        });
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }
}
