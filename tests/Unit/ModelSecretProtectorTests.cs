using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class ModelSecretProtectorTests
{
    private readonly ModelSecretProtector _protector = new(new EphemeralDataProtectionProvider(), Options.Create(new ModelSecretOptions()));

    [Theory]
    [InlineData("api_key", true)]
    [InlineData("apiKey", true)]
    [InlineData("token", true)]
    [InlineData("Authorization", true)]
    [InlineData("X-Service-Key", true)]
    [InlineData("client_secret", true)]
    [InlineData("db_password", true)]
    [InlineData("max_tokens", false)]
    [InlineData("provider_model", false)]
    [InlineData("api_key_header", false)]
    [InlineData("base_url", false)]
    public void Recognises_secret_names(string name, bool secret) =>
        Assert.Equal(secret, ModelSecretProtector.IsSecretName(name));

    [Fact]
    public void Values_are_encrypted_references_kept_and_both_come_back_on_reveal()
    {
        Environment.SetEnvironmentVariable("UNIT_TEST_API_KEY", "from-environment");
        var config = JsonNode.Parse("""{"api_key":"sk-plain","provider_model":"m","headers":{"X-Token":"${UNIT_TEST_API_KEY}"}}""")!.AsObject();

        var stored = _protector.Protect(config);

        Assert.DoesNotContain("sk-plain", stored.ToJsonString());
        Assert.Equal("${UNIT_TEST_API_KEY}", stored["headers"]!["X-Token"]!.GetValue<string>());
        var masked = ModelSecretProtector.Masked(stored);
        Assert.Equal("********", masked["api_key"]!.GetValue<string>());
        Assert.Equal("m", masked["provider_model"]!.GetValue<string>());
        var revealed = _protector.Reveal(stored);
        Assert.Equal("sk-plain", revealed["api_key"]!.GetValue<string>());
        Assert.Equal("from-environment", revealed["headers"]!["X-Token"]!.GetValue<string>());
    }

    [Fact]
    public void The_mask_sent_back_keeps_the_stored_value_and_without_one_is_refused()
    {
        var stored = _protector.Protect(JsonNode.Parse("""{"api_key":"sk-original"}""")!.AsObject());

        var kept = _protector.Protect(JsonNode.Parse("""{"api_key":"********"}""")!.AsObject(), previous: stored);

        Assert.Equal("sk-original", _protector.Reveal(kept)["api_key"]!.GetValue<string>());
        var error = Assert.Throws<ModelConfigException>(() => _protector.Protect(JsonNode.Parse("""{"api_key":"********"}""")!.AsObject()));
        Assert.Equal("config.api_key", error.Field);
    }

    [Fact]
    public void Encrypted_blobs_cannot_be_smuggled_in_from_another_model()
    {
        var stolen = _protector.Protect(JsonNode.Parse("""{"api_key":"victim-secret"}""")!.AsObject())["api_key"]!.DeepClone();
        var attack = new JsonObject { ["url"] = "http://attacker.example", ["api_key"] = stolen };

        Assert.Throws<ModelConfigException>(() => _protector.Protect(attack));
    }

    [Fact]
    public void Reveal_explains_a_missing_variable()
    {
        var stored = _protector.Protect(JsonNode.Parse("""{"token":"${SURELY_NOT_SET_TOKEN}"}""")!.AsObject());

        var error = Assert.Throws<ModelConfigException>(() => _protector.Reveal(stored));

        Assert.Contains("SURELY_NOT_SET_TOKEN", error.Message);
    }
}
