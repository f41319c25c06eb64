using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

/// <summary>The official <c>openai</c> npm library, unchanged, against the gateway on a real port.</summary>
[Trait("Tier", "System")]
public sealed class OpenAiSdkTests
{
    [Fact]
    public async Task The_official_openai_client_lists_chats_streams_and_embeds_through_the_gateway()
    {
        await using var upstream = new OpenAiWireServer("sk-upstream", "gpt-test", "embed-test");
        await upstream.StartAsync();
        await using var flaky = new OpenAiWireServer("sk-flaky") { CutStreamAfter = 2 };
        await flaky.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?> { ["Models:SeedBuiltInModels"] = "false" });
        gateway.UseKestrel(0);
        gateway.StartServer();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var baseUrl = admin.BaseAddress!.ToString().TrimEnd('/');

        await admin.RegisterModelAsync(new
        {
            name = "assistant",
            provider = "openai",
            config = new { base_url = upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test" },
        });
        await admin.RegisterModelAsync(new
        {
            name = "embedder",
            provider = "openai",
            config = new { base_url = upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "embed-test", task = "embedding" },
        });
        await admin.RegisterModelAsync(new
        {
            name = "flaky",
            provider = "openai",
            config = new { base_url = flaky.V1.ToString(), api_key = "sk-flaky", provider_model = "gpt-test", max_retries = 0 },
        });
        var (_, key) = await gateway.CreateKeyAsync(new { owner = "sdk", permissions = new[] { "read", "execute" } });

        var result = await NodeClients.RunAsync("openai-client.mjs", new Dictionary<string, string>
        {
            ["GATEWAY_URL"] = baseUrl,
            ["API_KEY"] = key,
            ["CHAT_MODEL"] = "assistant",
            ["EMBED_MODEL"] = "embedder@latest",
            ["FLAKY_MODEL"] = "flaky",
        }, TimeSpan.FromMinutes(2));

        Assert.Contains("assistant@1.0.0", result.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var completion = result.GetProperty("completion");
        Assert.Equal("echo: hello from the sdk", completion.GetProperty("content").GetString());
        Assert.Equal("stop", completion.GetProperty("finish_reason").GetString());
        Assert.Equal(5, completion.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var stream = result.GetProperty("stream");
        Assert.Equal("echo: stream these words please", stream.GetProperty("text").GetString());
        Assert.Equal(5, stream.GetProperty("chunks").GetInt32());
        Assert.Equal("stop", stream.GetProperty("finish_reason").GetString());
        Assert.Equal(5, stream.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var embeddings = result.GetProperty("embeddings");
        Assert.Equal(OpenAiWireServer.Vector("beta"), embeddings[1].EnumerateArray().Select(v => v.GetSingle()));
        var missing = result.GetProperty("missing_model");
        Assert.Equal(404, missing.GetProperty("status").GetInt32());
        Assert.Equal("NotFoundError", missing.GetProperty("kind").GetString());
        Assert.Equal("model_not_found", missing.GetProperty("code").GetString());
        var cut = result.GetProperty("cut_stream");
        Assert.Equal(JsonValueKind.String, cut.GetProperty("error").ValueKind);
        Assert.Contains("stream", cut.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(401, result.GetProperty("bad_key").GetProperty("status").GetInt32());
    }
}
