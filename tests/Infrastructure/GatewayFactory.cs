using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Gateway.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// The real gateway program (co-hosted silo, SQLite storage, full middleware pipeline) on a private data directory and
/// private Orleans ports. Every log line it writes is kept in <see cref="Logs"/>.
/// </summary>
public class GatewayFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "mcp_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    public const string HashSecret = "test-hash-secret-that-is-long-enough-0123456789";

    private readonly Dictionary<string, string?> _settings;
    private readonly TempDirectory? _ownedData;

    public GatewayFactory(IDictionary<string, string?>? settings, string? dataDirectory = null)
    {
        if (dataDirectory is null)
        {
            _ownedData = new TempDirectory();
            dataDirectory = _ownedData.Path;
        }
        DataDirectory = dataDirectory;
        _settings = new Dictionary<string, string?>
        {
            ["Cluster:DataDirectory"] = dataDirectory,
            ["Cluster:SiloPort"] = FreePort.Next().ToString(),
            ["Cluster:GatewayPort"] = FreePort.Next().ToString(),
            ["ApiKeys:AdminKey"] = AdminKey,
            ["ApiKeys:HashSecret"] = HashSecret,
            ["ApiKeys:UsageFlushInterval"] = "00:00:01",
            ["ApiKeys:SelfServiceRateLimit"] = "1000/minute",
            ["Models:UnhealthyThreshold"] = "1",
            ["Models:CircuitFailureThreshold"] = "3",
            ["Models:CircuitBreakDuration"] = "00:00:01",
            ["Models:StatsFlushInterval"] = "00:00:01",
            ["Models:HealthCheckTimeout"] = "00:00:02",
            ["Models:MaxBatchSize"] = "20",
            ["Models:Backends:RetryBaseDelay"] = "00:00:00.020",
            ["Usage:FlushInterval"] = "00:00:00.100",
            ["Usage:PersistInterval"] = "00:00:01",
            // The Orleans Dashboard profiles every grain call and gathers its counters every second: about half of a test
            // gateway's CPU (measured: GatewayConfigurationTests 23 s of CPU with it, 12 s without). Off by default in
            // the product too; the shared gateway, which DashboardTests uses, turns it on.
            ["Dashboard:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace));
    }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }
        return client;
    }

    public HttpClient CreateBearerClient(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Creates a key through the API with the admin key and returns (key_id, api_key).</summary>
    public async Task<(string KeyId, string ApiKey)> CreateKeyAsync(object body)
    {
        using var admin = CreateClient(AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/keys", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating a key failed: {(int)response.StatusCode} {json}");
        }
        return (json.GetProperty("key_id").GetString()!, json.GetProperty("api_key").GetString()!);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _ownedData?.Dispose();
        GC.SuppressFinalize(this);
    }

    public static JsonSerializerOptions Json { get; } = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions();
        GatewayHostingExtensions.ConfigureJson(options);
        return options;
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<SharedGatewayFactory>
{
    public const string Name = "gateway";
}

/// <summary>The gateway shared by every test in <see cref="GatewayCollection"/>; with the dashboard turned on, as an operator would.</summary>
public sealed class SharedGatewayFactory() : GatewayFactory(new Dictionary<string, string?> { ["Dashboard:Enabled"] = "true" });
