using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Bench;
using Mcp.Cluster.Tests.WireServers;

// Holds N WebSocket completion streams open on one gateway node at once and reports the gateway's memory and the
// tokens per second delivered. The upstream is the OpenAI wire server from tests/, streaming one token per interval
// over HTTP/2 (h2c), so the gateway's upstream side needs a handful of sockets rather than one per stream.
switch (args.FirstOrDefault())
{
    case "data":
        await DataQueryBench.RunAsync(args);
        return 0;
    // The plain-language translator's score on tests/DataSources/Ask/questions.json (issue 20).
    case "ask-accuracy":
        return await AskAccuracyBench.RunAsync(args);
    // The proxy side-by-side of issue 18 (see ProxyBench) and the two processes it starts from this same program.
    case "gateway":
        return await ProxyBench.RunAsync(args);
    // Dynamic batching of a hosted ONNX model, on and off (issue 19).
    case "hosted":
        return await HostedBatchBench.RunAsync(args);
    // MCP with 1,000 models and 100 federated tools: registration, tools/list paging, tools/call, list_changed fan-out (issue 21).
    case "catalog":
        return await CatalogBench.RunAsync(args);
    case "stub-upstream":
        await StubUpstream.RunAsync(args);
        return 0;
    case "forwarder":
        await BareForwarder.RunAsync(args);
        return 0;
}

var options = BenchOptions.Parse(args);
var wordsPerAnswer = (int)Math.Ceiling((options.Measure.TotalSeconds + 120) / options.TokenInterval.TotalSeconds);

await using var upstream = new OpenAiWireServer("sk-bench", "gpt-bench") { Http2Only = !options.Http1, StreamDelay = options.TokenInterval };
await upstream.StartAsync();
await using var gateway = await GatewayProcess.StartAsync(options.Repository, streamingSettings: !options.RuntimeDefaults);
using var admin = new HttpClient { BaseAddress = gateway.Address };
admin.DefaultRequestHeaders.Add("X-API-Key", GatewayProcess.AdminKey);

var registered = await admin.PostAsJsonAsync("/api/models", new
{
    name = "bench-chat",
    provider = "openai",
    config = new { base_url = upstream.V1.ToString(), api_key = "sk-bench", provider_model = "gpt-bench", http2_prior_knowledge = !options.Http1, timeout_seconds = 120 },
});
registered.EnsureSuccessStatusCode();
var keyResponse = await admin.PostAsJsonAsync("/api/keys", new { owner = "bench", permissions = new[] { "execute" }, rate_limit = "1000000/minute" });
keyResponse.EnsureSuccessStatusCode();
var apiKey = (await keyResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString()!;
var baseline = gateway.Memory();
Console.WriteLine($"gateway pid {gateway.Pid}: {baseline.Rss / 1048576.0:F0} MB resident before any stream; runtime settings: " +
    (options.RuntimeDefaults ? "defaults" : string.Join(' ', GatewayProcess.StreamingNodeSettings(options.Repository).Select(s => $"{s.Name}={s.Value}"))));

var prompt = string.Join(' ', Enumerable.Range(0, wordsPerAnswer).Select(i => $"w{i % 100}"));
long tokens = 0, started = 0, failed = 0;
var firstToken = new CountdownEvent(options.Streams);
var sockets = new ClientWebSocket[options.Streams];
var wsUri = new Uri($"ws://{gateway.Address.Authority}/ws/completions");
var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource();
var receivers = new List<Task>(options.Streams);
using (var gate = new SemaphoreSlim(options.OpenConcurrency))
{
    var opening = Enumerable.Range(0, options.Streams).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-API-Key", apiKey);
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await socket.ConnectAsync(wsUri, CancellationToken.None);
            sockets[i] = socket;
            var request = JsonSerializer.SerializeToUtf8Bytes(new { type = "completion", request_id = $"s{i}", model_id = "bench-chat", prompt, max_tokens = wordsPerAnswer + 10 });
            await socket.SendAsync(request, WebSocketMessageType.Text, true, CancellationToken.None);
            lock (receivers)
            {
                receivers.Add(ReceiveAsync(socket, stop.Token));
            }
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref failed);
            Console.Error.WriteLine($"stream {i}: {e.Message}");
            firstToken.Signal();
        }
        finally
        {
            gate.Release();
        }
    });
    await Task.WhenAll(opening);
}
var opened = clock.Elapsed;
var allFlowing = firstToken.Wait(TimeSpan.FromSeconds(120));
var flowing = clock.Elapsed;
Console.WriteLine($"{options.Streams - failed} sockets opened in {opened.TotalSeconds:F1} s; all streaming after {flowing.TotalSeconds:F1} s: {allFlowing}");

var liveAtStart = await LiveManagedAsync();
var peakRss = 0L;
var runtimeBefore = await RuntimeAsync();
var cpuBefore = gateway.CpuTime();
var tokensBefore = Interlocked.Read(ref tokens);
var window = Stopwatch.StartNew();
while (window.Elapsed < options.Measure)
{
    await Task.Delay(1000);
    peakRss = Math.Max(peakRss, gateway.Memory().Rss);
}
var delivered = Interlocked.Read(ref tokens) - tokensBefore;
var cpu = gateway.CpuTime() - cpuBefore;
var runtime = await admin.GetStringAsync("/health/runtime");
var runtimeAfter = JsonDocument.Parse(runtime).RootElement;
var liveAtEnd = await LiveManagedAsync();
var seconds = window.Elapsed.TotalSeconds;
var memory = gateway.Memory();
var fds = gateway.OpenFileDescriptors();
var active = Interlocked.Read(ref started) - Interlocked.Read(ref failed);

stop.Cancel();
foreach (var socket in sockets.Where(s => s is not null))
{
    socket.Abort();
    socket.Dispose();
}

var expected = options.Streams / options.TokenInterval.TotalSeconds;
Console.WriteLine();
Console.WriteLine("gateway runtime: " + runtime);
Console.WriteLine();
Console.WriteLine("| measure | value |");
Console.WriteLine("|---|---|");
Console.WriteLine($"| concurrent WebSocket streams held open | {active:N0} of {options.Streams:N0} (failed: {failed}) |");
Console.WriteLine($"| time to open all connections / until every stream had its first token | {opened.TotalSeconds:F1} s / {flowing.TotalSeconds:F1} s |");
Console.WriteLine($"| gateway resident memory during the window (peak sample) | {peakRss / 1048576.0:F0} MB |");
Console.WriteLine($"| gateway peak resident memory over the run (VmHWM) | {memory.Peak / 1048576.0:F0} MB |");
Console.WriteLine($"| gateway resident memory before any stream | {baseline.Rss / 1048576.0:F0} MB |");
Console.WriteLine($"| gateway open file descriptors | {fds:N0} |");
Console.WriteLine($"| gateway live managed memory after a full GC, window start / end | {liveAtStart / 1048576.0:F0} MB / {liveAtEnd / 1048576.0:F0} MB ({(liveAtEnd - 40L * 1048576) / Math.Max(1, active) / 1024.0:F1} KB per stream above a 40 MB base) |");
Console.WriteLine($"| tokens delivered to clients | {delivered / seconds:N0} per second over {seconds:F0} s (upstream offered {expected:N0}/s) |");
Console.WriteLine($"| gateway CPU during the window | {cpu.TotalSeconds / seconds * 100:F0}% of one core ({cpu.TotalMilliseconds * 1000 / Math.Max(1, delivered):F0} µs per token) |");
var allocated = runtimeAfter.GetProperty("allocated_bytes_total").GetInt64() - runtimeBefore.GetProperty("allocated_bytes_total").GetInt64();
int Collections(JsonElement r, int generation) => r.GetProperty("collections")[generation].GetInt32();
Console.WriteLine($"| gateway allocations during the window | {allocated / seconds / 1048576:F0} MB/s, {allocated / Math.Max(1, delivered):N0} bytes per token |");
Console.WriteLine($"| collections during the window ({runtimeAfter.GetProperty("gc_mode").GetString()} GC) | gen0 {Collections(runtimeAfter, 0) - Collections(runtimeBefore, 0)}, gen1 {Collections(runtimeAfter, 1) - Collections(runtimeBefore, 1)}, gen2 {Collections(runtimeAfter, 2) - Collections(runtimeBefore, 2)}; paused {(runtimeAfter.GetProperty("gc_pause_seconds_total").GetDouble() - runtimeBefore.GetProperty("gc_pause_seconds_total").GetDouble()) / seconds * 100:F1}% of the time |");
return allFlowing && failed == 0 && memory.Peak < 500L * 1024 * 1024 ? 0 : 1;

async Task<JsonElement> RuntimeAsync() => JsonDocument.Parse(await admin.GetStringAsync("/health/runtime")).RootElement;

async Task<long> LiveManagedAsync() =>
    JsonDocument.Parse(await admin.GetStringAsync("/health/runtime?collect=true")).RootElement.GetProperty("managed_heap_bytes").GetInt64();

async Task ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
{
    var buffer = new byte[4096];
    var seen = false;
    try
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            // Frames are small; a token frame starts with {"type":"token".
            var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
            if (text.StartsWith("{\"type\":\"token\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref tokens);
                if (!seen)
                {
                    seen = true;
                    Interlocked.Increment(ref started);
                    firstToken.Signal();
                }
            }
            else if (text.StartsWith("{\"type\":\"error\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref failed);
                Console.Error.WriteLine(text);
                if (!seen)
                {
                    seen = true;
                    firstToken.Signal();
                }
                break;
            }
        }
    }
    catch (Exception) when (cancellationToken.IsCancellationRequested)
    {
    }
    catch (WebSocketException e)
    {
        Console.Error.WriteLine("socket: " + e.Message);
    }
}
