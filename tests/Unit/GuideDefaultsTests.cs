using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Models;
using Mcp.Cluster.Models.Backends;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>The user guide's defaults and figures, and the settings that change them.</summary>
[Trait("Tier", "Unit")]
public sealed class GuideDefaultsTests
{
    private static readonly McpClusterOptions Local = new();

    [Fact]
    public void Keys_default_to_the_guides_permissions_a_year_and_100_a_minute()
    {
        var policy = ApiKeyPolicy.From(new ApiKeyGatewayOptions(), Local);
        Assert.Equal(Permissions.Read | Permissions.Write | Permissions.Execute, policy.DefaultPermissions);
        Assert.Equal(365, policy.DefaultExpiresInDays);
        Assert.Equal("100/minute", policy.DefaultRateLimit.ToString());
    }

    [Theory]
    [InlineData(new[] { "read", "admin" }, 365)]
    [InlineData(new[] { "reed" }, 365)]
    [InlineData(new string[0], 365)]
    [InlineData(new[] { "read" }, -1)]
    [InlineData(new[] { "read" }, 3651)]
    public void Default_key_settings_that_would_hand_out_admin_or_make_no_sense_stop_the_start(string[] permissions, int expiresInDays)
    {
        var options = new ApiKeyGatewayOptions { DefaultPermissions = permissions, DefaultExpiresInDays = expiresInDays };
        Assert.Throws<InvalidOperationException>(() => ApiKeyPolicy.From(options, Local));
    }

    [Theory]
    [InlineData(45.2, "45ms")]
    [InlineData(119.5, "120ms")]
    [InlineData(0.42, "0.4ms")]
    [InlineData(0, "0ms")]
    public void Latency_reads_as_the_guide_writes_it(double ms, string expected) => Assert.Equal(expected, DisplayUnits.Milliseconds(ms));

    [Theory]
    [InlineData(0.001, "0.1%")]
    [InlineData(0.25, "25%")]
    [InlineData(0, "0%")]
    [InlineData(0.12345, "12.35%")]
    public void Error_rate_reads_as_the_guide_writes_it(double ratio, string expected) => Assert.Equal(expected, DisplayUnits.Percent(ratio));

    [Theory]
    [InlineData("2GB", 2_000_000_000L)]
    [InlineData("512MB", 512_000_000L)]
    [InlineData("1.5GiB", 1_610_612_736L)]
    [InlineData("4096", 4096L)]
    [InlineData("2 GB", 2_000_000_000L)]
    public void Memory_requirements_are_read_in_decimal_and_binary_units(string text, long bytes) => Assert.Equal(bytes, ModelHosting.ParseBytes(text));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-2GB")]
    [InlineData("2XB")]
    [InlineData("99999999999999999TB")]
    public void Nonsense_memory_requirements_are_refused(string text) => Assert.Null(ModelHosting.ParseBytes(text));

    [Fact]
    public void The_operator_credential_is_used_only_when_asked_for_and_never_with_another_address()
    {
        var operatorAccount = new ProviderCredential { ApiKey = "sk-operator", BaseUrl = "https://api.openai.com/v1/" };
        Assert.Equal(("sk-operator", (string?)null), OperatorCredential.Resolve(Config("""{"requires_api_key": true}"""), operatorAccount, "Providers:OpenAI:ApiKey", "base_url"));
        Assert.Equal(("sk-own", (string?)null), OperatorCredential.Resolve(Config("""{"requires_api_key": true, "api_key": "sk-own"}"""), operatorAccount, "Providers:OpenAI:ApiKey", "base_url"));
        Assert.Equal(((string?)null, (string?)null), OperatorCredential.Resolve(Config("""{}"""), operatorAccount, "Providers:OpenAI:ApiKey", "base_url"));
        var refused = Assert.Throws<ModelConfigException>(() => OperatorCredential.Resolve(
            Config("""{"requires_api_key": true, "base_url": "https://collector.example/v1"}"""), operatorAccount, "Providers:OpenAI:ApiKey", "base_url"));
        Assert.Equal("config.requires_api_key", refused.Field);

        var (key, missing) = OperatorCredential.Resolve(Config("""{"requires_api_key": true}"""), new ProviderCredential { BaseUrl = "https://api.openai.com/v1/" },
            "Providers:OpenAI:ApiKey", "base_url");
        Assert.Null(key);
        Assert.Contains("Providers:OpenAI:ApiKey", missing);
        Assert.Contains("MCP_Providers__OpenAI__ApiKey", missing);
    }

    private static ModelConfig Config(string json) => new((JsonObject)JsonNode.Parse(json)!);
}
