using Mcp.Cluster.Gateway.ApiKeys;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Generated_keys_name_their_key_id_and_are_unique()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => ApiKeyFormat.Generate()).ToArray();
        Assert.Equal(1000, keys.Select(k => k.ApiKey).Distinct().Count());
        foreach (var (keyId, apiKey) in keys)
        {
            Assert.True(ApiKeyFormat.TryGetKeyId(apiKey, out var parsed));
            Assert.Equal(keyId, parsed);
            Assert.True(ApiKeyFormat.IsKeyId(keyId));
            Assert.Equal(ApiKeyFormat.Length, apiKey.Length);
        }
    }

    [Fact]
    public void Regenerated_secrets_keep_the_id_and_change_the_secret()
    {
        var (keyId, apiKey) = ApiKeyFormat.Generate();
        var rotated = ApiKeyFormat.Regenerate(keyId);
        Assert.True(ApiKeyFormat.TryGetKeyId(rotated, out var parsed));
        Assert.Equal(keyId, parsed);
        Assert.NotEqual(apiKey, rotated);
        Assert.Equal(apiKey[..20], rotated[..20]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mcp_")]
    [InlineData("sk-abcdef")]
    [InlineData("mcp_aaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("MCP_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("mcp_aaaaaaaaaaaaaaa1_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("mcp_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("mcp_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("mcp_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(ApiKeyFormat.TryGetKeyId(text, out _));
    }

    [Fact]
    public void The_display_prefix_never_contains_the_secret()
    {
        var (_, apiKey) = ApiKeyFormat.Generate();
        var prefix = ApiKeyFormat.DisplayPrefix(apiKey);
        Assert.DoesNotContain(apiKey[21..25], prefix);
        Assert.StartsWith(apiKey[..20], prefix);
    }

    [Fact]
    public void The_keyed_hash_depends_on_the_hashing_secret()
    {
        var (_, apiKey) = ApiKeyFormat.Generate();
        var one = new ApiKeyHasher("one-secret-one-secret-one-secret-1"u8.ToArray());
        var two = new ApiKeyHasher("two-secret-two-secret-two-secret-2"u8.ToArray());
        Assert.Equal(one.Hash(apiKey), one.Hash(apiKey));
        Assert.NotEqual(one.Hash(apiKey), two.Hash(apiKey));
        Assert.Equal(32, one.Hash(apiKey).Length);
    }
}
