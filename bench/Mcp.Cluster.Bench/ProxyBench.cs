using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Mcp.Cluster.Bench;

/// <summary>
/// <c>gateway</c> mode: the side-by-side of issue 18. One stub OpenAI upstream (its own process) behind five columns:
/// direct to the stub, a bare .NET forwarder (the floor), Portkey's gateway from npm, and our gateway on
/// <c>POST /v1/chat/completions</c> and <c>POST /api/models/{id}/predict</c>, plus any <c>--variant</c> gateways.
/// Every column gets the same closed-loop load at each connection count; CPU per request is the measured process's
/// /proc CPU time over the window divided by the requests answered in it. Prints a Markdown table and the targets.
/// </summary>
public static class ProxyBench
{
    private const string Prompt = "Say hello in one word";
    private const string ModelName = "bench-chat";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ProxyBenchOptions.Parse(args);
        Console.WriteLine($"proxy bench: {Environment.ProcessorCount} cores, load average {ProcessStats.LoadAverage()} at start, " +
            $"connections {string.Join(',', options.Connections)}, {options.WarmUp.TotalSeconds:0.#} s warm-up + {options.Measure.TotalSeconds:0.#} s measured, " +
            $"{options.Rounds} round(s), load generator: {(options.UseHttpClient ? "HttpClient" : "raw sockets")}");

        var notes = new List<string>();
        var columns = new List<Column>();
        await using var owned = new Owned();
        var stubPort = GatewayProcess.FreePort();
        var stub = await owned.Add(ChildProcess.StartBenchModeAsync("stub", stubPort, ["stub-upstream", "--port", stubPort.ToString()]));
        var bearer = new Dictionary<string, string> { ["Authorization"] = "Bearer " + StubUpstream.ApiKey };
        var upstreamBody = ChatBody(StubUpstream.Model);

        if (options.Targets.Contains("direct"))
        {
            columns.Add(new Column("direct", stub.Pid, new LoadTarget(stub.Address, "/v1/chat/completions", bearer, upstreamBody), IsStub: true));
        }
        if (options.Targets.Contains("forwarder"))
        {
            // Each variant's settings are tried on the floor too: does a setting help .NET proxying in general, or us?
            foreach (var variant in new GatewayVariant?[] { null }.Concat(options.Variants))
            {
                var port = GatewayProcess.FreePort();
                // ASP.NET Core's defaults (server GC), as our gateway runs with them, then the variant's settings.
                var environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" };
                foreach (var (name, value) in variant?.Environment ?? new Dictionary<string, string>())
                {
                    environment[name] = value;
                }
                var forwarder = await owned.Add(ChildProcess.StartBenchModeAsync("forwarder", port,
                    ["forwarder", "--port", port.ToString(), "--upstream", stub.Address.ToString()], environment));
                columns.Add(new Column("bare forwarder" + (variant is null ? "" : $" [{variant.Label}]"), forwarder.Pid,
                    new LoadTarget(forwarder.Address, "/v1/chat/completions", bearer, upstreamBody), Variant: variant));
            }
        }
        if (options.Targets.Contains("portkey"))
        {
            var (script, problem) = await PortkeyInstall.EnsureAsync(options.Repository);
            if (script is null)
            {
                notes.Add($"Portkey skipped: {problem}.");
            }
            else
            {
                try
                {
                    var port = GatewayProcess.FreePort();
                    var portkey = await owned.Add(ChildProcess.StartAsync("portkey", "node", [script, $"--port={port}", "--headless"], port,
                        new Dictionary<string, string> { ["NODE_ENV"] = "production" }, Path.GetDirectoryName(script)));
                    var headers = new Dictionary<string, string>(bearer)
                    {
                        ["x-portkey-provider"] = "openai",
                        ["x-portkey-custom-host"] = new Uri(stub.Address, "v1").ToString(),
                    };
                    columns.Add(new Column("Portkey", portkey.Pid, new LoadTarget(portkey.Address, "/v1/chat/completions", headers, upstreamBody)));
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    notes.Add($"Portkey skipped: {e.Message}");
                }
            }
        }
        if (options.Targets.Contains("ours"))
        {
            foreach (var variant in new GatewayVariant?[] { null }.Concat(options.Variants))
            {
                GatewayProcess gateway;
                string key;
                try
                {
                    gateway = owned.Add(await GatewayProcess.StartAsync(options.Repository, streamingSettings: false, variant?.Environment));
                    key = await RegisterAsync(gateway, stub.Address);
                }
                catch (Exception e) when (variant is not null && e is InvalidOperationException or TimeoutException or HttpRequestException)
                {
                    notes.Add($"variant {variant.Label} skipped: {e.Message}");
                    continue;
                }
                var headers = new Dictionary<string, string> { ["X-API-Key"] = key };
                var suffix = variant is null ? "" : $" [{variant.Label}]";
                columns.Add(new Column("ours /v1" + suffix, gateway.Pid, new LoadTarget(gateway.Address, "/v1/chat/completions", headers, ChatBody(ModelName)), Variant: variant));
                columns.Add(new Column("ours /predict" + suffix, gateway.Pid, new LoadTarget(gateway.Address, $"/api/models/{ModelName}/predict", headers, PredictBody()), Variant: variant));
            }
        }

        // Every column must answer before anything is measured; one that does not is dropped with its answer.
        foreach (var column in columns.ToList())
        {
            if (await SmokeAsync(column.Target) is { } problem)
            {
                notes.Add($"{column.Name} dropped: {problem}");
                columns.Remove(column);
            }
        }
        // Idle: started, registered, a few requests answered, nothing running. A short pause lets startup work settle.
        await Task.Delay(TimeSpan.FromSeconds(2));
        foreach (var column in columns)
        {
            column.IdleRss = ProcessStats.Memory(column.Pid).Rss;
        }

        var self = Environment.ProcessId;
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var column in columns)
            {
                foreach (var connections in options.Connections)
                {
                    await using var load = await LoadGenerator.OpenAsync(column.Target, connections, options.UseHttpClient);
                    await load.RunAsync(options.WarmUp, record: false);
                    var (cpu, stubCpu, selfCpu) = (ProcessStats.CpuTime(column.Pid), ProcessStats.CpuTime(stub.Pid), ProcessStats.CpuTime(self));
                    var result = await load.RunAsync(options.Measure, record: true);
                    var measured = new Measurement(
                        LatencyStats.Throughput(result.Requests, result.Window),
                        LatencyStats.Percentile(result.LatenciesMs, 0.50),
                        LatencyStats.Percentile(result.LatenciesMs, 0.99),
                        LatencyStats.CpuMicrosecondsPerRequest(ProcessStats.CpuTime(column.Pid) - cpu, result.Requests),
                        LatencyStats.CpuMicrosecondsPerRequest(ProcessStats.CpuTime(stub.Pid) - stubCpu, result.Requests),
                        LatencyStats.CpuMicrosecondsPerRequest(ProcessStats.CpuTime(self) - selfCpu, result.Requests),
                        result.Errors);
                    column.Add(connections, measured);
                    Console.WriteLine($"round {round}, {column.Name}, {connections} conn: {measured.RequestsPerSecond:N0} req/s, p50 {Ms(measured.P50)}, p99 {Ms(measured.P99)}, " +
                        $"CPU {measured.CpuMicroseconds:F0} µs/req (stub {measured.StubCpuMicroseconds:F0}, load generator {measured.ClientCpuMicroseconds:F0}), errors {result.Errors}" +
                        (result.FirstError is { } error ? $" (first: {error.ReplaceLineEndings(" ")})" : "") + $"; load average {ProcessStats.LoadAverage()}");
                }
                column.AfterRss = ProcessStats.Memory(column.Pid).Rss;
            }
        }

        Console.WriteLine();
        Console.WriteLine(ResultTable.Render(columns, options.Connections));
        Console.WriteLine();
        foreach (var line in ResultTable.Targets(columns))
        {
            Console.WriteLine(line);
        }
        foreach (var variant in options.Variants)
        {
            Console.WriteLine($"variant {variant}");
        }
        foreach (var note in notes)
        {
            Console.WriteLine("note: " + note);
        }
        Console.WriteLine($"load average at the end: {ProcessStats.LoadAverage()}. CPU per request of 'direct' is the stub's own. " +
            "The 10,000-WebSocket-streams target is measured by the default mode: dotnet run -c Release --project bench/Mcp.Cluster.Bench -- --streams 10000");
        return columns.Any(c => c.Results.Values.SelectMany(r => r).Any(m => m.Errors > 0)) ? 1 : 0;
    }

    private static string Ms(double value) => ResultTable.Milliseconds(value);

    private static byte[] ChatBody(string model) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        model, messages = new[] { new { role = "user", content = Prompt } }, max_tokens = 16,
    });

    private static byte[] PredictBody() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        messages = new[] { new { role = "user", content = Prompt } }, max_tokens = 16,
    });

    /// <summary>Registers the stub as an OpenAI model and makes a key for the load; returns the key.</summary>
    private static async Task<string> RegisterAsync(GatewayProcess gateway, Uri stub)
    {
        using var admin = new HttpClient { BaseAddress = gateway.Address };
        admin.DefaultRequestHeaders.Add("X-API-Key", GatewayProcess.AdminKey);
        using var registered = await admin.PostAsJsonAsync("/api/models", new
        {
            name = ModelName,
            provider = "openai",
            config = new { base_url = new Uri(stub, "v1/").ToString(), api_key = StubUpstream.ApiKey, provider_model = StubUpstream.Model },
        });
        if (!registered.IsSuccessStatusCode)
        {
            throw new InvalidOperationException("Registering the bench model failed: " + await registered.Content.ReadAsStringAsync());
        }
        using var key = await admin.PostAsJsonAsync("/api/keys", new { owner = "bench", permissions = new[] { "execute" }, rate_limit = "1000000/minute" });
        key.EnsureSuccessStatusCode();
        return (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString()!;
    }

    /// <summary>Twenty requests one after another; null when all were answered with a 2xx, otherwise the first bad answer.</summary>
    private static async Task<string?> SmokeAsync(LoadTarget target)
    {
        using var http = new HttpClient { BaseAddress = target.Address };
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Path) { Content = new ByteArrayContent(target.Body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            foreach (var (name, value) in target.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                return $"HTTP {(int)response.StatusCode}: {body}";
            }
            if (!body.Contains("hello", StringComparison.OrdinalIgnoreCase))
            {
                return "the answer does not carry the stub's text: " + body;
            }
        }
        return null;
    }

    /// <summary>Everything the bench started, stopped at the end in reverse order.</summary>
    private sealed class Owned : IAsyncDisposable
    {
        private readonly Stack<IAsyncDisposable> _items = new();

        public async Task<T> Add<T>(Task<T> starting) where T : IAsyncDisposable => Add(await starting);

        public T Add<T>(T item) where T : IAsyncDisposable
        {
            _items.Push(item);
            return item;
        }

        public async ValueTask DisposeAsync()
        {
            while (_items.TryPop(out var item))
            {
                await item.DisposeAsync();
            }
        }
    }
}

/// <summary>One measured window of one column at one connection count.</summary>
public sealed record Measurement(double RequestsPerSecond, double P50, double P99, double CpuMicroseconds, double StubCpuMicroseconds, double ClientCpuMicroseconds, long Errors);

/// <summary>One column of the table: a process under test and the request it is driven with.</summary>
public sealed record Column(string Name, int Pid, LoadTarget Target, bool IsStub = false, GatewayVariant? Variant = null)
{
    public Dictionary<int, List<Measurement>> Results { get; } = [];

    public long IdleRss { get; set; }

    public long AfterRss { get; set; }

    public bool IsOurs => Name.StartsWith("ours", StringComparison.Ordinal);

    public void Add(int connections, Measurement measurement)
    {
        if (!Results.TryGetValue(connections, out var list))
        {
            Results[connections] = list = [];
        }
        list.Add(measurement);
    }
}
