using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// Silo and gateway processes as an operator starts them: a failed start exits 1, ports bind where the operator says,
/// and usage events outlive a silo killed under load. Every process a test starts is killed when it ends.
/// </summary>
[Trait("Tier", "System")]
[Collection(PostgresCollection.Name)]
public sealed class ClusterProcessTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Timestamped = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ";

    private readonly TempDirectory _data = new();
    private readonly List<NodeProcess> _nodes = [];

    private Dictionary<string, string> Environment(string connectionString) =>
        ProcessClusterEnvironment.For(connectionString, _data.Path, "ops");

    [Fact]
    public async Task A_silo_started_on_a_database_without_the_schema_logs_why_and_exits_1()
    {
        var connectionString = await postgres.CreateDatabaseAsync("ops_no_schema", applySchema: false);
        var silo = StartSilo(Environment(connectionString), out _);

        Assert.True(await silo.WaitForExitAsync(TimeSpan.FromMinutes(2)), $"the silo kept running:\n{silo.Tail()}");

        Assert.Equal(1, silo.ExitCode);
        Assert.Contains(silo.Output, line => line.Contains("has no MCP Cluster schema", StringComparison.Ordinal));
        // Log lines start with a UTC timestamp.
        AssertTimestamped(silo);
    }

    [Fact]
    public async Task A_silo_advertising_loopback_binds_its_silo_client_and_metrics_ports_to_loopback_only()
    {
        var connectionString = await postgres.CreateDatabaseAsync("ops_listen");
        var silo = StartSilo(Environment(connectionString), out var ports);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            Assert.False(silo.HasExited, $"the silo exited:\n{silo.Tail()}");
            try
            {
                return await http.GetStringAsync($"http://127.0.0.1:{ports.Metrics}/health") == "ok";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromMinutes(2), "the silo's health endpoint to answer");
        // The Orleans ports open during start-up, before or after the metrics port: wait for all three.
        var listening = new Dictionary<int, List<IPAddress>>();
        await ModelTestHelpers.EventuallyAsync(() =>
        {
            listening = ListeningSockets.Read();
            return Task.FromResult(new[] { ports.Silo, ports.Client, ports.Metrics }.All(listening.ContainsKey));
        }, TimeSpan.FromSeconds(60), "the silo, client and metrics ports to listen");

        foreach (var port in new[] { ports.Silo, ports.Client, ports.Metrics })
        {
            Assert.All(listening[port], address => Assert.True(IPAddress.IsLoopback(address),
                $"port {port} listens on {address}, not only on loopback"));
        }
    }

    [Fact]
    public async Task Usage_events_published_while_a_silo_dies_are_counted_once_the_cluster_has_failed_over()
    {
        const int keys = 8;
        var connectionString = await postgres.CreateDatabaseAsync("ops_usage");
        var environment = Environment(connectionString);
        // Events leave the gateway every 200 ms and usage grains write every 200 ms, so what a kill may still lose
        // (the dead silo's stream queue and unwritten counts) is a fraction of a second; Orleans' default failure
        // detection (about 10 s) is the window in which publishing fails.
        environment["MCP_Usage__FlushInterval"] = "00:00:00.200";
        environment["MCP_Usage__PersistInterval"] = "00:00:00.200";
        StartSilo(environment, out _);
        StartSilo(environment, out _);
        var gateway = await StartGatewayAsync(environment);
        using var admin = Client(gateway, GatewayFactory.AdminKey);
        await ModelTestHelpers.EventuallyAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/cluster/silos"))
            .GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") == 2,
            TimeSpan.FromSeconds(90), "both silos to be active");

        var clients = new List<(string Id, HttpClient Http)>();
        for (var i = 0; i < keys; i++)
        {
            using var created = await admin.PostAsJsonAsync("/api/keys", new { owner = $"usage-{i}", permissions = new[] { "read" }, rate_limit = "100000/minute" });
            var json = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(created.IsSuccessStatusCode, json.ToString());
            clients.Add((json.GetProperty("key_id").GetString()!, Client(gateway, json.GetProperty("api_key").GetString()!)));
        }

        // Open-loop load, 50 requests a second round robin over the keys; each key's 200s are what its usage must count.
        var served = new int[keys];
        var sends = new List<Task>();
        var clock = Stopwatch.StartNew();
        async Task SendAsync(int key)
        {
            try
            {
                using var response = await clients[key].Http.GetAsync("/api/keys/me");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref served[key]);
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
            }
        }
        async Task LoadAsync(TimeSpan duration)
        {
            var until = clock.Elapsed + duration;
            for (var n = 0; clock.Elapsed < until; n++)
            {
                sends.Add(SendAsync(n % keys));
                await Task.Delay(20);
            }
        }

        await LoadAsync(TimeSpan.FromSeconds(3));
        var victim = await BusiestStreamSiloAsync(admin);
        _nodes.Single(n => n.Name == $"silo-{victim}").Kill();
        output.WriteLine($"killed silo {victim} at {clock.Elapsed.TotalSeconds:F1} s");
        await LoadAsync(TimeSpan.FromSeconds(15));
        await Task.WhenAll(sends);
        output.WriteLine($"served per key: {string.Join(", ", served)}");

        // Failed batches go out again once membership has moved the dead silo's stream queues; allow what a kill may
        // lose in flight: a second of each key's traffic.
        var tolerance = (int)Math.Ceiling(50.0 / keys);
        var counted = new long[keys];
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            for (var k = 0; k < keys; k++)
            {
                var usage = await admin.GetFromJsonAsync<JsonElement>($"/api/keys/{clients[k].Id}/usage");
                counted[k] = usage.GetProperty("traffic").GetProperty("requests").GetInt64();
            }
            if (Enumerable.Range(0, keys).All(k => counted[k] >= served[k] - tolerance) || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(500);
        }
        var summary = await admin.GetFromJsonAsync<JsonElement>("/summary");
        output.WriteLine($"counted per key: {string.Join(", ", counted)}; gateway pipeline: {summary.GetProperty("pipeline")}");
        AssertTimestamped(_nodes.Single(n => n.Name.StartsWith("gateway", StringComparison.Ordinal)));
        foreach (var line in _nodes.Where(n => n.Name.StartsWith("gateway", StringComparison.Ordinal)).SelectMany(n => n.Output)
            .Where(l => l.Contains("usage events", StringComparison.Ordinal)).Take(10))
        {
            output.WriteLine(line);
        }
        for (var k = 0; k < keys; k++)
        {
            Assert.True(counted[k] >= served[k] - tolerance,
                $"key {k}: {served[k]} requests served, {counted[k]} counted by the usage grains (at most {tolerance} may be lost)");
        }
        foreach (var client in clients)
        {
            client.Http.Dispose();
        }
    }

    [Fact]
    public async Task A_prediction_in_flight_on_a_silo_that_is_killed_is_answered_503_well_within_30_seconds()
    {
        // A backend on loopback that takes every POST and never answers: the prediction stays in flight on its silo.
        using var backend = new HangingHttpServer();
        var connectionString = await postgres.CreateDatabaseAsync("ops_inflight");
        var environment = Environment(connectionString);
        StartSilo(environment, out _);
        StartSilo(environment, out _);
        var gateway = await StartGatewayAsync(environment);
        using var admin = Client(gateway, GatewayFactory.AdminKey);
        await ModelTestHelpers.EventuallyAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/cluster/silos"))
            .GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") == 2,
            TimeSpan.FromSeconds(90), "both silos to be active");
        var model = await admin.RegisterModelAsync(new
        {
            name = "hanging", provider = "http", input_schema = new { type = "object" },
            config = new { url = $"http://127.0.0.1:{backend.Port}/predict", timeout_seconds = 240, max_retries = 0 },
        });

        // Its own client without a timeout: what is measured is the time after the kill, not the wait before it.
        using var predicting = Client(gateway, GatewayFactory.AdminKey);
        predicting.Timeout = Timeout.InfiniteTimeSpan;
        var prediction = predicting.PostAsJsonAsync($"/api/models/{model}/predict", new { text = "hello" });
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(backend.Posts > 0), TimeSpan.FromSeconds(60), "the prediction to reach the backend");
        var silos = await admin.GetFromJsonAsync<JsonElement>("/api/cluster/silos");
        var host = silos.GetProperty("silos").EnumerateArray()
            .Single(s => s.GetProperty("grain_types").TryGetProperty("ModelGrain", out var count) && count.GetInt32() > 0)
            .GetProperty("address").GetString()!;
        var victim = _nodes.Single(n => n.Name == $"silo-{host.Split('@')[0].Split(':')[^1]}");
        var clock = Stopwatch.StartNew();
        victim.Kill();

        using var answer = await prediction.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"answered {(int)answer.StatusCode} {clock.Elapsed.TotalSeconds:F1} s after the kill");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered {clock.Elapsed.TotalSeconds:F1} s after the kill");
    }

    /// <summary>Every log line's header ("warn: Category[id]") follows a UTC timestamp.</summary>
    private static void AssertTimestamped(NodeProcess node)
    {
        var headers = node.Output.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"(^|\s)(trce|dbug|info|warn|fail|crit): ")).ToList();
        Assert.NotEmpty(headers);
        Assert.All(headers, l => Assert.Matches(Timestamped, l));
    }

    /// <summary>The silo port of the silo holding the most memory-stream queues (else the most activations).</summary>
    private static async Task<int> BusiestStreamSiloAsync(HttpClient admin)
    {
        var silos = await admin.GetFromJsonAsync<JsonElement>("/api/cluster/silos");
        return silos.GetProperty("silos").EnumerateArray()
            .Select(s => (Port: int.Parse(s.GetProperty("address").GetString()!.Split('@')[0].Split(':')[^1], CultureInfo.InvariantCulture),
                Queues: s.GetProperty("grain_types").EnumerateObject().Where(t => t.Name.Contains("Queue", StringComparison.Ordinal)).Sum(t => t.Value.GetInt32()),
                All: s.GetProperty("grain_types").EnumerateObject().Sum(t => t.Value.GetInt32())))
            .OrderByDescending(s => s.Queues).ThenByDescending(s => s.All)
            .First().Port;
    }

    private NodeProcess StartSilo(Dictionary<string, string> environment, out (int Silo, int Client, int Metrics) ports)
    {
        var silo = NodeProcess.StartSilo(environment, out ports);
        _nodes.Add(silo);
        return silo;
    }

    private async Task<Uri> StartGatewayAsync(Dictionary<string, string> environment)
    {
        var gateway = NodeProcess.StartGateway(environment, out var address);
        _nodes.Add(gateway);
        await gateway.WaitUntilReadyAsync(address, TimeSpan.FromSeconds(120));
        return address;
    }

    private static HttpClient Client(Uri gateway, string apiKey)
    {
        var client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    /// <summary>An HTTP server on 127.0.0.1 that answers GET (health checks) and holds every POST open, unanswered.</summary>
    private sealed class HangingHttpServer : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<System.Net.Sockets.TcpClient> _held = [];
        private int _posts;

        public HangingHttpServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Posts => Volatile.Read(ref _posts);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = ServeAsync(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
            }
        }

        private async Task ServeAsync(System.Net.Sockets.TcpClient client)
        {
            lock (_held)
            {
                _held.Add(client);
            }
            try
            {
                var reader = new StreamReader(client.GetStream());
                var first = await reader.ReadLineAsync(_stop.Token);
                if (first?.StartsWith("POST", StringComparison.Ordinal) == true)
                {
                    Interlocked.Increment(ref _posts);
                    return;
                }
                await client.GetStream().WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"u8.ToArray(), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_held)
            {
                foreach (var client in _held)
                {
                    client.Dispose();
                }
            }
            _stop.Dispose();
        }
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
}
