using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// A gateway whose silo declares a GPU (the user guide's <c>internal-classifier</c> asks for one; no real GPU is used:
/// its sessions run on the CPU provider) and a small upload limit, with ONNX files written by the tests.
/// </summary>
public sealed class HostedModelFixture : IAsyncLifetime
{
    public const long MaxArtifactBytes = 2_000_000;

    public GatewayFactory Gateway { get; private set; } = null!;

    public string ModelDirectory => Path.Combine(Gateway.DataDirectory, "models");

    public string ArtifactDirectory => Path.Combine(Gateway.DataDirectory, "artifacts");

    public TabularClassifierModel Classifier { get; } = TestOnnxModels.TabularClassifier();

    public TokenEmbedderModel Embedder { get; } = TestOnnxModels.TokenEmbedder();

    public Task InitializeAsync()
    {
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Silo:Resources:Gpu"] = "1",
            ["Silo:Resources:ModelMemory"] = "8GB",
            ["Models:Hosting:MaxArtifactBytes"] = MaxArtifactBytes.ToString(),
        });
        _ = Gateway.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();

    public HttpClient Admin() => Gateway.CreateClient(GatewayFactory.AdminKey);

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string model, byte[] bytes, string contentType = "application/octet-stream")
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await client.PutAsync($"/api/models/{model}/artifact", content);
    }

    /// <summary>A zip of a text model and its vocabulary, as a Hugging Face export folder would be packed.</summary>
    public static byte[] Zip(byte[] model, string? vocabulary, string modelName = "model.onnx")
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var entry = zip.CreateEntry($"export/{modelName}").Open())
            {
                entry.Write(model);
            }
            if (vocabulary is not null)
            {
                using var entry = zip.CreateEntry("export/vocab.txt").Open();
                entry.Write(Encoding.UTF8.GetBytes(vocabulary));
            }
        }
        return buffer.ToArray();
    }

    public static string Vocabulary => string.Join('\n', TokenEmbedderModel.Vocabulary) + "\n";

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }

    /// <summary>The reference of the token embedder for a text of vocabulary words, tokenized by hand: [CLS] words [SEP].</summary>
    public float[] ExpectedEmbedding(string text)
    {
        long[] ids = [TokenEmbedderModel.TokenId("[CLS]"), .. text.Split(' ').Select(TokenEmbedderModel.TokenId), TokenEmbedderModel.TokenId("[SEP]")];
        return Embedder.PooledNormalized(ids, ids.Select(_ => 1L).ToArray());
    }

    public static async Task<JsonElement> StatusAsync(HttpClient client, string model) =>
        await (await client.GetAsync($"/api/models/{model}/status")).AssertOkAsync();

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>Calls a model's MCP tool over Streamable HTTP (initialize, then tools/call) and returns the call's result.</summary>
    public static async Task<JsonElement> CallToolAsync(HttpClient client, string tool, object arguments)
    {
        using var initialize = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = JsonContent.Create(new
            {
                jsonrpc = "2.0", id = 1, method = "initialize",
                @params = new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "tests", version = "1.0" } },
            }),
        };
        initialize.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var initialized = await client.SendAsync(initialize);
        Assert.True(initialized.IsSuccessStatusCode, await initialized.Content.ReadAsStringAsync());
        var session = initialized.Headers.GetValues("Mcp-Session-Id").Single();
        using var call = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = 2, method = "tools/call", @params = new { name = tool, arguments } }),
        };
        call.Headers.Accept.ParseAdd("application/json, text/event-stream");
        call.Headers.Add("Mcp-Session-Id", session);
        using var answered = await client.SendAsync(call);
        var text = await answered.Content.ReadAsStringAsync();
        Assert.True(answered.IsSuccessStatusCode, text);
        // The first event is the priming event (an id and no data), which makes the stream resumable.
        var json = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal) && l.Length > "data:".Length) is { } data
            ? data["data:".Length..].Trim()
            : text;
        return JsonDocument.Parse(json).RootElement.GetProperty("result").Clone();
    }
}
