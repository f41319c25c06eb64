using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Api;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// Hosted models on a PostgreSQL cluster of processes: silos that declare different resources, a gateway (an Orleans
/// client) that stores the upload in the shared data directory, the session placed on the only silo with a GPU, the
/// model unschedulable once that silo is gone, and serving again when a GPU silo joins.
/// </summary>
[Trait("Tier", "System")]
[Collection(PostgresCollection.Name)]
public sealed class HostedModelClusterTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly float[] Features = [0.5f, -1.2f, 3.3f, 0.1f];

    private readonly TempDirectory _data = new();
    private readonly List<NodeProcess> _nodes = [];
    private readonly TabularClassifierModel _classifier = TestOnnxModels.TabularClassifier(seed: 33);

    [Fact]
    public async Task The_guides_internal_classifier_runs_on_the_gpu_silo_and_waits_unschedulable_for_another_when_it_dies()
    {
        try
        {
            await RunAsync();
        }
        catch
        {
            output.WriteLine($"failed at {DateTime.UtcNow:HH:mm:ss.fff}");
            foreach (var node in _nodes)
            {
                // Stack frames crowd out the decisions: the last 300 lines without them.
                var lines = node.Output.Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && !l.Contains("End of stack trace")).TakeLast(300);
                output.WriteLine($"--- node {_nodes.IndexOf(node)} (exited: {node.HasExited}) ---\n{string.Join('\n', lines)}");
            }
            throw;
        }
    }

    private async Task RunAsync()
    {
        var environment = ProcessClusterEnvironment.For(await postgres.CreateDatabaseAsync("hosted_cluster"), _data.Path, "hosted");
        // Placement decisions are logged at Debug: a failure shows them in the nodes' output below.
        environment["MCP_Logging__LogLevel__Mcp.Cluster.Models"] = "Debug";
        StartSilo(environment, gpus: 0);
        var gpuSilo = StartSilo(environment, gpus: 1);
        var gateway = NodeProcess.StartGateway(environment, out var address);
        _nodes.Add(gateway);
        await gateway.WaitUntilReadyAsync(address, TimeSpan.FromSeconds(120));
        using var admin = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        admin.DefaultRequestHeaders.Add("X-API-Key", GatewayFactory.AdminKey);
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await admin.GetFromJsonAsync<JsonElement>("/api/cluster/placement")).GetProperty("silos").GetArrayLength() == 2,
            TimeSpan.FromSeconds(90), "both silos to declare their resources");

        var id = await admin.RegisterModelAsync(new
        {
            name = "internal-classifier", version = "2.0.0", model_type = "internal",
            input_schema = new { type = "object", properties = new { features = new { type = "array", items = new { type = "number" } } } },
            config = new { batch_size = 32, requires_gpu = true, memory_requirement = "2GB" },
        });
        await (await HostedModelFixture.UploadAsync(admin, id, _classifier.Bytes)).AssertOkAsync();
        var answer = await (await admin.PostAsJsonAsync("/api/models/internal-classifier/predict", new { features = Features })).AssertOkAsync();
        HostedModelFixture.AssertClose(_classifier.Evaluate(Features), HostedModelFixture.Floats(answer.GetProperty("probabilities")));
        JsonElement session = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            session = (await HostedModelFixture.StatusAsync(admin, id)).GetProperty("hosting").GetProperty("session");
            return session.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(20), "the host to report its session");
        Assert.Equal(gpuSilo.Port, ProcessClusterEnvironment.SiloPort(session.GetProperty("silo").GetString()!));

        gpuSilo.Node.Kill();
        output.WriteLine($"killed the GPU silo {gpuSilo.Port}");
        // Until the membership declares it dead, calls get 503 (the gateway's silo-loss guard); then no silo offers a GPU.
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await StatusOrNullAsync(admin, id))?.GetProperty("status").GetString() == "unschedulable",
            TimeSpan.FromSeconds(180), "the model to be unschedulable without a GPU silo");
        var refused = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Features }))
            .AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model_unavailable");
        Assert.Contains("GPU", refused.GetProperty("detail").GetString());

        var replacement = StartSilo(environment, gpus: 1);
        // A silo starting on a loaded machine takes a while: first it joins and declares its GPU, then calls place on it.
        var joined = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while ((await admin.GetFromJsonAsync<JsonElement>("/api/cluster/placement")).GetProperty("silos").GetArrayLength() != 2)
        {
            Assert.False(replacement.Node.HasExited, $"the new GPU silo exited ({replacement.Node.ExitCode}):\n{replacement.Node.Tail()}");
            Assert.True(DateTime.UtcNow < joined, $"the new GPU silo did not declare its resources in 180 s:\n{replacement.Node.Tail()}");
            await Task.Delay(500);
        }
        using var answered = await ModelTestHelpers.FirstAnswerOtherThanAsync(
            () => admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Features }), HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(120), "the model to serve on the new GPU silo");
        var again = await answered.AssertOkAsync();
        HostedModelFixture.AssertClose(_classifier.Evaluate(Features), HostedModelFixture.Floats(again.GetProperty("probabilities")));
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await StatusOrNullAsync(admin, id))?.GetProperty("hosting").GetProperty("session") is { ValueKind: JsonValueKind.Object } s
            && ProcessClusterEnvironment.SiloPort(s.GetProperty("silo").GetString()!) == replacement.Port,
            TimeSpan.FromSeconds(20), "the session to run on the new GPU silo");
    }

    /// <summary>The model's status, or null while the cluster answers 503 (a silo was lost and the membership has not caught up).</summary>
    private static async Task<JsonElement?> StatusOrNullAsync(HttpClient admin, string id)
    {
        using var response = await admin.GetAsync($"/api/models/{id}/status");
        return response.StatusCode == HttpStatusCode.ServiceUnavailable ? null : await response.AssertOkAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        _data.Dispose();
    }

    private (NodeProcess Node, int Port) StartSilo(Dictionary<string, string> environment, int gpus)
    {
        var silo = NodeProcess.StartSilo(environment, out var ports, new Dictionary<string, string>
        {
            ["MCP_Silo__Resources__Gpu"] = gpus.ToString(CultureInfo.InvariantCulture),
            ["MCP_Silo__Resources__ModelMemory"] = "4GB",
            ["MCP_Silo__Resources__AnnounceInterval"] = "00:00:02",
        });
        _nodes.Add(silo);
        return (silo, ports.Silo);
    }
}
