using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// Streams when a node dies, with real processes on PostgreSQL: the silo running a model's streams is killed with
/// SIGKILL, and every SSE (<c>/completions/stream</c>) and OpenAI (<c>/v1/chat/completions</c>, <c>stream: true</c>)
/// client must read an error event within seconds, not a connection reset after Orleans' 30 s response timeout.
/// </summary>
[Trait("Tier", "System")]
[Collection(PostgresCollection.Name)]
public sealed class StreamNodeLossTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int StreamsPerProtocol = 3;

    /// <summary>The gateway's idle timeout (5 s by default) plus room for a loaded machine; well under 30 s.</summary>
    private static readonly TimeSpan ErrorWithin = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _data = new();
    private readonly List<NodeProcess> _nodes = [];
    private readonly Dictionary<int, NodeProcess> _silosByPort = [];
    // Loopback only: the provider is this test's own wire server on 127.0.0.1. 1500 words at 100 ms: 150 s of stream,
    // far longer than the test needs on a loaded machine.
    private readonly OpenAiWireServer _upstream = new("sk-upstream", "gpt-test") { StreamDelay = TimeSpan.FromMilliseconds(100) };
    private Dictionary<string, string> _environment = [];

    public async Task InitializeAsync()
    {
        await _upstream.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("stream_node_loss");
        _environment = ProcessClusterEnvironment.For(connectionString, _data.Path, "strm");
    }

    [Fact]
    public async Task Streams_on_a_killed_silo_end_with_an_error_event_within_seconds()
    {
        StartSilo();
        StartSilo();
        var gateway = await StartGatewayAsync();
        using var admin = Client(gateway, GatewayFactory.AdminKey);
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var silos = await admin.GetFromJsonAsync<JsonElement>("/api/cluster/silos");
            return silos.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") == 2;
        }, TimeSpan.FromSeconds(90), "both silos to be active");

        var modelId = (await admin.PostForJsonAsync("/api/models", new
        {
            name = "node-loss-" + Guid.NewGuid().ToString("N")[..8],
            provider = "openai",
            config = new { base_url = _upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test", max_retries = 0 },
        })).GetProperty("model_id").GetString()!;
        var apiKey = (await admin.PostForJsonAsync("/api/keys", new { owner = "streamer", permissions = new[] { "read", "execute" }, rate_limit = "1000/minute" }))
            .GetProperty("api_key").GetString()!;
        using var client = Client(gateway, apiKey);
        var prompt = string.Join(' ', Enumerable.Range(0, 1500).Select(i => $"w{i}"));
        var messages = new[] { new { role = "user", content = prompt } };

        var test = Stopwatch.StartNew();
        var opening = new List<Task<Stream>>();
        for (var i = 0; i < StreamsPerProtocol; i++)
        {
            opening.Add(Stream.OpenAsync(client, "/completions/stream", new { model_id = modelId, messages, max_tokens = 2000 }, sse: true));
            opening.Add(Stream.OpenAsync(client, "/v1/chat/completions", new { model = modelId, messages, max_tokens = 2000, stream = true }, sse: false));
        }
        var streams = (await Task.WhenAll(opening)).ToList();
        foreach (var stream in streams)
        {
            await stream.FirstToken.WaitAsync(TimeSpan.FromSeconds(30));
        }
        output.WriteLine($"{streams.Count} streams flowing after {test.Elapsed.TotalSeconds:F1} s");

        // Streams run on the model's executor of the silo their call reached (the gateway is a client of both):
        // the victim is a silo running some of them. Those end with an error event within seconds; any on the
        // other silo keep flowing.
        // The model grain wakes its own silo's executor too (to tell it a decision changed), so where both silos have
        // one, the streams are on the silo without the model grain.
        var silos = await admin.GetFromJsonAsync<JsonElement>("/api/cluster/silos");
        static bool Has(JsonElement silo, string type) => silo.GetProperty("grain_types").TryGetProperty(type, out var count) && count.GetInt32() > 0;
        var host = silos.GetProperty("silos").EnumerateArray()
            .Where(s => Has(s, "ModelExecutorGrain"))
            .OrderBy(s => Has(s, "ModelGrain"))
            .First();
        var victim = _silosByPort[ProcessClusterEnvironment.SiloPort(host.GetProperty("address").GetString()!)];
        var tokensAtKill = streams.Select(s => s.Tokens).ToArray();
        var clock = Stopwatch.StartNew();
        victim.Kill();
        output.WriteLine($"killed {victim.Name}, which ran streams of the model");

        var lost = 0;
        for (var i = 0; i < streams.Count; i++)
        {
            var stream = streams[i];
            var flowing = stream.TokensBeyondAsync(tokensAtKill[i] + 20);
            await Task.WhenAny(stream.Ended, flowing).WaitAsync(TimeSpan.FromSeconds(40));
            if (!stream.Ended.IsCompleted)
            {
                output.WriteLine($"{stream.Path}: still flowing {clock.Elapsed.TotalSeconds:F1} s after the kill (its executor lives on)");
                continue;
            }
            var (error, at) = await stream.Ended;
            output.WriteLine($"{stream.Path}: {error ?? "(no error event)"} after {clock.Elapsed.TotalSeconds:F1} s; {at}");
            Assert.True(error is not null, $"{stream.Path} ended without an error event: {at}");
            Assert.Contains("model_unavailable", error);
            Assert.True(clock.Elapsed < ErrorWithin, $"{stream.Path}: the error came {clock.Elapsed.TotalSeconds:F1} s after the kill");
            lost++;
        }
        Assert.True(lost > 0, "no stream ran on the killed silo");
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
    }

    /// <summary>One streamed response read line by line: when its first token came, and the error event it ended with.</summary>
    private sealed class Stream : IDisposable
    {
        private readonly TaskCompletionSource _firstToken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<(string? Error, string How)> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HttpResponseMessage _response;

        private Stream(string path, HttpResponseMessage response)
        {
            Path = path;
            _response = response;
        }

        public string Path { get; }

        public Task FirstToken => _firstToken.Task;

        public Task<(string? Error, string How)> Ended => _ended.Task;

        private int _tokens;

        public int Tokens => Volatile.Read(ref _tokens);

        /// <summary>Completes once more than <paramref name="count"/> tokens have arrived.</summary>
        public async Task TokensBeyondAsync(int count)
        {
            while (Tokens <= count && !Ended.IsCompleted)
            {
                await Task.WhenAny(Ended, Task.Delay(50));
            }
        }

        public static async Task<Stream> OpenAsync(HttpClient client, string path, object body, bool sse)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
            };
            var clock = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{path}: no response headers within {clock.Elapsed.TotalSeconds:F0} s");
            }
            if (!response.IsSuccessStatusCode)
            {
                // Only a refusal is read whole: a stream's body lasts as long as the answer.
                Assert.Fail($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            var stream = new Stream(path, response);
            _ = Task.Run(() => stream.ReadAsync(sse));
            return stream;
        }

        private async Task ReadAsync(bool sse)
        {
            try
            {
                using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(), Encoding.UTF8);
                string? eventName = null;
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        eventName = line["event: ".Length..];
                        continue;
                    }
                    if (!line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    var data = line["data: ".Length..];
                    var isError = sse ? eventName == "error" : data.StartsWith("{\"error\"", StringComparison.Ordinal);
                    var isToken = sse ? eventName == "token" : data.Contains("\"content\":\"", StringComparison.Ordinal);
                    if (isError)
                    {
                        _ended.TrySetResult((data, "error event"));
                        return;
                    }
                    if (isToken)
                    {
                        Interlocked.Increment(ref _tokens);
                        _firstToken.TrySetResult();
                    }
                    if (sse ? eventName == "done" : data == "[DONE]")
                    {
                        _ended.TrySetResult((null, "finished normally"));
                        return;
                    }
                }
                _ended.TrySetResult((null, "ended without an event"));
            }
            catch (Exception e)
            {
                _ended.TrySetResult((null, $"broken: {e.GetType().Name}: {e.Message}"));
            }
            finally
            {
                _firstToken.TrySetResult();
            }
        }

        public void Dispose() => _response.Dispose();
    }

    private void StartSilo()
    {
        var silo = NodeProcess.StartSilo(_environment, out var ports);
        _nodes.Add(silo);
        _silosByPort[ports.Silo] = silo;
    }

    private async Task<Uri> StartGatewayAsync()
    {
        var gateway = NodeProcess.StartGateway(_environment, out var address);
        _nodes.Add(gateway);
        await gateway.WaitUntilReadyAsync(address, TimeSpan.FromSeconds(90));
        return address;
    }

    private static HttpClient Client(Uri gateway, string apiKey)
    {
        // No client timeout: the test's own deadlines decide, and must tell an early error from Orleans' 30 s.
        var client = new HttpClient { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
