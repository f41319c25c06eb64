using System.Net.Http.Json;
using System.Text.Json;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// The gateway in its local default (co-hosted silo, embedded sample sources) as an operating-system process of its own
/// on a real port. The metrics tests need one: OpenTelemetry subscribes to meters by name across a process, so in
/// the test process every other gateway's instruments would mix into the exposition (and vanish from it when that
/// gateway is disposed), where a deployed gateway is alone in its process.
/// </summary>
public sealed class GatewayProcess : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private NodeProcess? _node;

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    public async Task InitializeAsync()
    {
        _node = NodeProcess.Start($"gateway-{BaseAddress.Port}", "gateway", new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = BaseAddress.ToString(),
            ["MCP_Cluster__DataDirectory"] = _data.Path,
            ["MCP_Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["MCP_Cluster__GatewayPort"] = FreePort.Next().ToString(),
            ["MCP_ADMIN_KEY"] = GatewayFactory.AdminKey,
            ["MCP_API_KEY_HASH_SECRET"] = GatewayFactory.HashSecret,
            ["MCP_DataSources__HealthCheckInterval"] = "00:00:01",
            ["MCP_Usage__FlushInterval"] = "00:00:00.100",
            ["MCP_Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = "0",
        });
        await _node.WaitUntilReadyAsync(BaseAddress, TimeSpan.FromSeconds(120));
        // The sample sources are registered right after the silo starts.
        using var admin = CreateClient(GatewayFactory.AdminKey);
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var names = (await admin.GetFromJsonAsync<JsonElement>("/api/datasources")).GetProperty("data_sources").EnumerateArray()
                .Select(s => s.GetProperty("name").GetString()).ToArray();
            return names.Contains("jobs_db") && names.Contains("homebuilders_db");
        }, Deadlines.Scaled(TimeSpan.FromSeconds(60)), "the sample sources to be registered");
    }

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
        _data.Dispose();
    }
}
