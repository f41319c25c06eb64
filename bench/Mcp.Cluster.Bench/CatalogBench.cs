using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Bench;

/// <summary>
/// <c>catalog</c>: MCP with a big catalog (issue 21, item 5). A release gateway with <c>--models</c> registered models
/// (OpenAI chat models on the stub upstream) and an integration whose upstream MCP server (<see cref="ManyToolsUpstream"/>)
/// has <c>--upstream-tools</c> tools, driven through the official C# MCP client: registration times, <c>tools/list</c>
/// (first page and every page) and <c>tools/call</c> latency, and the time from a catalog change until each of
/// <c>--sessions</c> open sessions got <c>notifications/tools/list_changed</c>.
/// </summary>
public static class CatalogBench
{
    private const string Protocol = "2025-11-25";

    public static async Task<int> RunAsync(string[] args)
    {
        int Int(string name, int fallback) => int.Parse(BenchArguments.Value(args, name) ?? fallback.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var models = Int("--models", 1000);
        var upstreamTools = Int("--upstream-tools", 100);
        var sessions = Int("--sessions", 500);
        var samples = Int("--samples", 200);
        var rounds = Int("--rounds", 3);
        var pageSize = BenchArguments.Value(args, "--page-size");
        var repository = BenchOptions.Parse(args).Repository;

        var stubPort = GatewayProcess.FreePort();
        await using var stub = await ChildProcess.StartBenchModeAsync("stub", stubPort, ["stub-upstream", "--port", stubPort.ToString()]);
        await using var upstream = new ManyToolsUpstream(upstreamTools);
        await upstream.StartAsync();
        var environment = new Dictionary<string, string>();
        if (pageSize is not null)
        {
            environment["MCP_Mcp__PageSize"] = pageSize;
        }
        await using var gateway = await GatewayProcess.StartAsync(repository, streamingSettings: false, environment);
        using var admin = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(2) };
        admin.DefaultRequestHeaders.Add("X-API-Key", GatewayProcess.AdminKey);
        var report = new List<(string Measure, string Value)>();
        Console.WriteLine($"gateway pid {gateway.Pid}; {models:N0} models, {upstreamTools} upstream tools, {sessions} sessions, page size {pageSize ?? "default"}");

        // Registration. The seed's target ("tool registration: <100 ms for 100 tools") is read two ways: 100 models
        // registered one after another through the REST API (each becomes the tool model.{name}), and one integration
        // whose upstream has 100 tools, registered until tools/list shows them.
        var registration = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Math.Min(100, models); i++)
        {
            registration.Add(await TimeAsync(() => RegisterModelAsync(admin, i, stub.Address)));
        }
        var first100 = clock.Elapsed;
        using (var gate = new SemaphoreSlim(8))
        {
            var rest = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(100, Math.Max(0, models - 100)).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await RegisterModelAsync(admin, i, stub.Address);
                }
                finally
                {
                    gate.Release();
                }
            }));
            if (models > 100)
            {
                report.Add(($"registering models {101}–{models} (8 at a time)", $"{rest.Elapsed.TotalSeconds:F1} s, {(models - 100) / rest.Elapsed.TotalSeconds:F0}/s"));
            }
        }
        registration.Sort();
        report.Add(($"registering the first {registration.Count} models, one after another (POST /api/models)",
            $"{first100.TotalMilliseconds:F0} ms in all; each p50 {LatencyStats.Percentile(registration, 0.5):F1} ms, p95 {LatencyStats.Percentile(registration, 0.95):F1} ms"));

        using var keyResponse = await admin.PostAsJsonAsync("/api/keys", new { owner = "bench", permissions = new[] { "read", "execute" }, rate_limit = "1000000/minute" });
        keyResponse.EnsureSuccessStatusCode();
        var key = (await keyResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString()!;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Add("X-API-Key", key);
        await using var client = await ConnectAsync(http, gateway.Address);

        var integration = Stopwatch.StartNew();
        using (var registered = await admin.PostAsJsonAsync("/integrations", new { name = "upstream", url = upstream.McpEndpoint.ToString() }))
        {
            if (!registered.IsSuccessStatusCode)
            {
                throw new InvalidOperationException("Registering the integration failed: " + await registered.Content.ReadAsStringAsync());
            }
        }
        var integrationPost = integration.Elapsed;
        var expected = models + upstreamTools + 3;
        var listed = await ListAllAsync(client);
        while (listed.Count < expected && integration.Elapsed < TimeSpan.FromMinutes(1))
        {
            listed = await ListAllAsync(client);
        }
        report.Add(($"registering an integration with {upstreamTools} tools (POST /integrations; until tools/list shows them)",
            $"{integrationPost.TotalMilliseconds:F0} ms; {integration.Elapsed.TotalMilliseconds:F0} ms"));
        // Warm: a second integration on the same upstream (the gateway's MCP client code is jitted by now), and
        // refreshes, each of which lists the upstream's tools again and publishes the change.
        var second = await TimeAsync(async () =>
        {
            using var registered = await admin.PostAsJsonAsync("/integrations", new { name = "upstream2", url = upstream.McpEndpoint.ToString() });
            registered.EnsureSuccessStatusCode();
        });
        var refreshes = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            refreshes.Add(await TimeAsync(async () =>
            {
                using var refreshed = await admin.PostAsync("/integrations/upstream2/refresh", null);
                refreshed.EnsureSuccessStatusCode();
            }));
        }
        using (var removed = await admin.DeleteAsync("/integrations/upstream2"))
        {
            removed.EnsureSuccessStatusCode();
        }
        report.Add(($"a second integration with the same {upstreamTools} tools (POST /integrations, warm)", $"{second:F0} ms"));
        report.Add(($"re-reading an integration's {upstreamTools} tools (POST /integrations/{{name}}/refresh)", Describe(refreshes)));
        var settle = Stopwatch.StartNew();
        do
        {
            listed = await ListAllAsync(client);
        }
        while (listed.Count != expected && settle.Elapsed < TimeSpan.FromSeconds(30));
        if (listed.Count != expected || listed.Distinct().Count() != expected)
        {
            Console.Error.WriteLine($"tools/list listed {listed.Count} tools ({listed.Distinct().Count()} distinct), expected {expected}");
            return 1;
        }

        // tools/list: the first page, then every page (what a client that reads the whole catalog waits for).
        var firstPage = new List<double>();
        var pages = 0;
        for (var i = 0; i < samples; i++)
        {
            firstPage.Add(await TimeAsync(async () => pages = (await client.ListToolsAsync(new ListToolsRequestParams())).Tools.Count));
        }
        var allPages = new List<double>();
        var pageCount = 0;
        for (var i = 0; i < Math.Max(10, samples / 10); i++)
        {
            allPages.Add(await TimeAsync(async () => pageCount = await CountPagesAsync(client)));
        }
        report.Add(($"tools/list, first page ({pages} tools)", Describe(firstPage)));
        report.Add(($"tools/list, all {pageCount} pages ({expected} tools)", Describe(allPages)));

        var modelCalls = new List<double>();
        var upstreamCalls = new List<double>();
        var chat = new Dictionary<string, object?> { ["messages"] = new[] { new { role = "user", content = "Say hello in one word" } }, ["max_tokens"] = 16 };
        var echo = new Dictionary<string, object?> { ["text"] = "hello" };
        for (var i = 0; i < samples; i++)
        {
            modelCalls.Add(await TimeAsync(async () => Check(await client.CallToolAsync($"model.{ModelName(i * 7 % models)}", chat))));
            upstreamCalls.Add(await TimeAsync(async () => Check(await client.CallToolAsync($"upstream.{ManyToolsUpstream.ToolName(i * 7 % upstreamTools)}", echo))));
        }
        report.Add(("tools/call, a model tool (chat model on the stub upstream)", Describe(modelCalls)));
        report.Add(("tools/call, a federated tool", Describe(upstreamCalls)));

        // list_changed fan-out: every session made a request (so this gateway holds it) and keeps its GET stream open.
        var arrivals = new ConcurrentDictionary<int, long>();
        var changeStarted = 0L;
        var open = new List<McpClient>();
        var opening = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(32))
        {
            var opened = await Task.WhenAll(Enumerable.Range(0, sessions).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var session = await ConnectAsync(http, gateway.Address);
                    session.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
                    {
                        if (Volatile.Read(ref changeStarted) != 0)
                        {
                            arrivals.TryAdd(i, Stopwatch.GetTimestamp());
                        }
                        return ValueTask.CompletedTask;
                    });
                    await session.ListToolsAsync(new ListToolsRequestParams());
                    return session;
                }
                finally
                {
                    gate.Release();
                }
            }));
            open.AddRange(opened);
        }
        report.Add(($"opening {sessions} sessions (initialize, GET stream, one tools/list each, 32 at a time)", $"{opening.Elapsed.TotalSeconds:F1} s"));
        var fanOut = new List<string>();
        var complete = true;
        for (var round = 0; round < rounds; round++)
        {
            arrivals.Clear();
            // Let the GET streams settle before the change (each session's stream opens after its initialize answer).
            await Task.Delay(TimeSpan.FromSeconds(2));
            var started = Stopwatch.GetTimestamp();
            Volatile.Write(ref changeStarted, started);
            await RegisterModelAsync(admin, models + round, stub.Address);
            var deadline = Stopwatch.StartNew();
            while (arrivals.Count < sessions && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(5);
            }
            Volatile.Write(ref changeStarted, 0);
            var times = arrivals.Values.Select(t => Stopwatch.GetElapsedTime(started, t).TotalMilliseconds).Order().ToList();
            complete &= times.Count == sessions;
            fanOut.Add(times.Count == 0 ? "none arrived" :
                $"{times.Count}/{sessions} in {times[^1]:F0} ms (first {times[0]:F0}, p50 {LatencyStats.Percentile(times, 0.5):F0}, p95 {LatencyStats.Percentile(times, 0.95):F0})");
        }
        report.Add(($"list_changed to {sessions} sessions after a model registration (per round)", string.Join("; ", fanOut)));
        foreach (var session in open)
        {
            await session.DisposeAsync();
        }

        var memory = gateway.Memory();
        report.Add(("gateway resident memory at the end / peak", $"{memory.Rss / 1048576.0:F0} MB / {memory.Peak / 1048576.0:F0} MB"));
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        foreach (var (measure, value) in report)
        {
            Console.WriteLine($"| {measure} | {value} |");
        }
        return complete ? 0 : 1;
    }

    private static string ModelName(int index) => $"bench-{index:D4}";

    private static async Task RegisterModelAsync(HttpClient admin, int index, Uri stub)
    {
        using var response = await admin.PostAsJsonAsync("/api/models", new
        {
            name = ModelName(index),
            provider = "openai",
            config = new { base_url = new Uri(stub, "v1/").ToString(), api_key = StubUpstream.ApiKey, provider_model = StubUpstream.Model },
        });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Registering {ModelName(index)} failed: " + await response.Content.ReadAsStringAsync());
        }
    }

    private static Task<McpClient> ConnectAsync(HttpClient http, Uri gateway) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(gateway, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, http),
            new McpClientOptions { ProtocolVersion = Protocol });

    private static async Task<List<string>> ListAllAsync(McpClient client)
    {
        var names = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor });
            names.AddRange(page.Tools.Select(t => t.Name));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return names;
    }

    private static async Task<int> CountPagesAsync(McpClient client)
    {
        var pages = 0;
        string? cursor = null;
        do
        {
            cursor = (await client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor })).NextCursor;
            pages++;
        }
        while (cursor is not null);
        return pages;
    }

    private static void Check(CallToolResult result)
    {
        if (result.IsError == true)
        {
            throw new InvalidOperationException("The tool call failed: " + string.Join(' ', result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
        }
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static string Describe(List<double> milliseconds)
    {
        milliseconds.Sort();
        return $"p50 {LatencyStats.Percentile(milliseconds, 0.5):F1} ms, p95 {LatencyStats.Percentile(milliseconds, 0.95):F1} ms ({milliseconds.Count} calls)";
    }
}
