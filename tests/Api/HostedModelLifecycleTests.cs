using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// A hosted model's life beyond one call: it serves again after the node restarts (its file is kept in the data
/// directory), its idle session unloads and loads again on the next call, and a model that fits on no silo (no GPU,
/// not enough model memory) is <c>unschedulable</c> with a clear status and a 503, while one that fits serves.
/// </summary>
[Trait("Tier", "Api")]
public sealed class HostedModelLifecycleTests
{
    private static readonly float[] Features = [1.5f, -0.5f, 2f, 0.25f];

    private readonly TabularClassifierModel _classifier = TestOnnxModels.TabularClassifier(seed: 21);

    [Fact]
    public async Task A_hosted_model_serves_again_after_the_node_restarts()
    {
        using var data = new TempDirectory();
        string id;
        string sha;
        await using (var first = new GatewayFactory(null, data.Path))
        {
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            id = await admin.RegisterModelAsync(new { name = "restart-tabular", provider = "onnx", config = new { } });
            var uploaded = await (await HostedModelFixture.UploadAsync(admin, id, _classifier.Bytes)).AssertOkAsync();
            sha = uploaded.GetProperty("artifact").GetProperty("sha256").GetString()!;
            await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Features })).AssertOkAsync();
        }

        await using var second = new GatewayFactory(null, data.Path);
        using var again = second.CreateClient(GatewayFactory.AdminKey);
        var answer = await (await again.PostAsJsonAsync("/api/models/restart-tabular/predict", new { features = Features })).AssertOkAsync();
        HostedModelFixture.AssertClose(_classifier.Evaluate(Features), HostedModelFixture.Floats(answer.GetProperty("probabilities")));
        var status = await HostedModelFixture.StatusAsync(again, id);
        Assert.Equal(sha, status.GetProperty("hosting").GetProperty("artifact").GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task An_idle_session_unloads_and_the_next_call_loads_it_again()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?> { ["Models:Hosting:IdleUnload"] = "00:00:02" });
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(new { name = "idle-tabular", provider = "onnx", config = new { } });
        await (await HostedModelFixture.UploadAsync(admin, id, _classifier.Bytes)).AssertOkAsync();
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Features })).AssertOkAsync();
        await ModelTestHelpers.EventuallyAsync(async () => await SessionAsync(admin, id) is { ValueKind: JsonValueKind.Object },
            TimeSpan.FromSeconds(10), "the session to be reported loaded");

        await ModelTestHelpers.EventuallyAsync(async () => await SessionAsync(admin, id) is { ValueKind: JsonValueKind.Null },
            TimeSpan.FromSeconds(30), "the idle session to unload");
        var placement = await (await admin.GetAsync("/api/cluster/placement")).AssertOkAsync();
        Assert.DoesNotContain(id, placement.ToString(), StringComparison.Ordinal);

        var answer = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Features })).AssertOkAsync();
        HostedModelFixture.AssertClose(_classifier.Evaluate(Features), HostedModelFixture.Floats(answer.GetProperty("probabilities")));
        await ModelTestHelpers.EventuallyAsync(async () => await SessionAsync(admin, id) is { ValueKind: JsonValueKind.Object },
            TimeSpan.FromSeconds(10), "the session to load again");
    }

    [Fact]
    public async Task A_model_that_fits_on_no_silo_is_unschedulable_with_a_503_and_one_that_fits_serves()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Silo:Resources:Gpu"] = "0",
            ["Silo:Resources:ModelMemory"] = "64MB",
        });
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);

        var gpu = await admin.RegisterModelAsync(new { name = "needs-gpu", model_type = "internal", config = new { requires_gpu = true, memory_requirement = "2GB" } });
        await (await HostedModelFixture.UploadAsync(admin, gpu, _classifier.Bytes)).AssertOkAsync();
        var refused = await (await admin.PostAsJsonAsync($"/api/models/{gpu}/predict", new { features = Features }))
            .AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable");
        Assert.Contains("GPU", refused.GetProperty("detail").GetString());
        var status = await HostedModelFixture.StatusAsync(admin, gpu);
        Assert.Equal("unschedulable", status.GetProperty("status").GetString());
        Assert.Contains("Silo:Resources:Gpu", status.GetProperty("hosting").GetProperty("unschedulable").GetString());
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await (await admin.GetAsync("/api/models?status=unschedulable")).AssertOkAsync()).GetProperty("models").EnumerateArray()
                .Any(m => m.GetProperty("model_id").GetString() == gpu),
            TimeSpan.FromSeconds(10), "the catalog to list the model as unschedulable");

        // A model nobody has called yet shows it too (the health loop checks without reserving anything).
        var idle = await admin.RegisterModelAsync(new { name = "needs-gpu-idle", provider = "onnx", config = new { requires_gpu = true } });
        await (await HostedModelFixture.UploadAsync(admin, idle, _classifier.Bytes)).AssertOkAsync();
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await HostedModelFixture.StatusAsync(admin, idle)).GetProperty("status").GetString() == "unschedulable",
            TimeSpan.FromSeconds(15), "an uncalled GPU model to show unschedulable");
        var placement = await (await admin.GetAsync("/api/cluster/placement")).AssertOkAsync();
        Assert.DoesNotContain(idle, placement.ToString(), StringComparison.Ordinal);

        var big = await admin.RegisterModelAsync(new { name = "too-big", provider = "onnx", config = new { memory_requirement = "1GB" } });
        await (await HostedModelFixture.UploadAsync(admin, big, _classifier.Bytes)).AssertOkAsync();
        var memory = await (await admin.PostAsJsonAsync($"/api/models/{big}/predict", new { features = Features }))
            .AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable");
        Assert.Contains("memory", memory.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        var small = await admin.RegisterModelAsync(new { name = "fits", provider = "onnx", config = new { memory_requirement = "10MB" } });
        await (await HostedModelFixture.UploadAsync(admin, small, _classifier.Bytes)).AssertOkAsync();
        var answer = await (await admin.PostAsJsonAsync($"/api/models/{small}/predict", new { features = Features })).AssertOkAsync();
        HostedModelFixture.AssertClose(_classifier.Evaluate(Features), HostedModelFixture.Floats(answer.GetProperty("probabilities")));
        // Loaded models count against the silo's budget: 10 MB of 64 MB are held.
        placement = await (await admin.GetAsync("/api/cluster/placement")).AssertOkAsync();
        Assert.Contains(small, placement.ToString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> SessionAsync(HttpClient admin, string id) =>
        (await HostedModelFixture.StatusAsync(admin, id)).GetProperty("hosting").GetProperty("session");
}
