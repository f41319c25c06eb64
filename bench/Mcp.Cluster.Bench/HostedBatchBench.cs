using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Runtime;
using Mcp.Cluster.Tests.Infrastructure.Onnx;

namespace Mcp.Cluster.Bench;

/// <summary>
/// <c>hosted</c> mode: dynamic batching of a hosted ONNX model, on and off, at several numbers of concurrent callers,
/// each sending single predictions back to back (closed loop). Two paths: <c>http</c>, the product as callers use it
/// (<c>POST /api/models/{id}/predict</c> on a gateway process, one model with <c>batch_size</c> N and one with 1), and
/// <c>session</c>, the session and batcher alone in this process (what batching does to the ONNX runs, without the
/// gateway's own cost per request). The model is an MLP written by the tests' ONNX builder
/// (<c>--features</c>, <c>--hidden</c>, <c>--classes</c>), large enough that a run costs more than its overhead.
/// </summary>
public static class HostedBatchBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var callers = Ints(args, "--callers", [1, 8, 64]);
        var seconds = double.Parse(BenchArguments.Value(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        var warmUp = TimeSpan.FromSeconds(double.Parse(BenchArguments.Value(args, "--warm-up") ?? "2", CultureInfo.InvariantCulture));
        var features = int.Parse(BenchArguments.Value(args, "--features") ?? "256", CultureInfo.InvariantCulture);
        var hidden = int.Parse(BenchArguments.Value(args, "--hidden") ?? "1024", CultureInfo.InvariantCulture);
        var classes = int.Parse(BenchArguments.Value(args, "--classes") ?? "10", CultureInfo.InvariantCulture);
        var batch = int.Parse(BenchArguments.Value(args, "--batch") ?? "32", CultureInfo.InvariantCulture);
        var waitMs = double.Parse(BenchArguments.Value(args, "--wait-ms") ?? "2", CultureInfo.InvariantCulture);
        // ONNX Runtime's spinning threads (Models:Hosting:AllowSpinning), in both paths.
        var spinning = args.Contains("--spinning");
        var paths = BenchArguments.Values(args, "--path") is { Count: > 0 } given ? given : ["session", "http"];
        var repository = BenchArguments.Value(args, "--repo") ?? FindRepository();
        var measure = TimeSpan.FromSeconds(seconds);

        var model = TestOnnxModels.TabularClassifier(seed: 5, features: features, hidden: hidden, classes: classes);
        Variant[] variants = [new("off", 1, 0), new($"on ({batch})", batch, 0), new($"on ({batch}, wait {waitMs:0.#} ms)", batch, waitMs)];
        var input = Enumerable.Range(0, features).Select(i => (float)Math.Sin(i)).ToArray();
        Console.WriteLine($"hosted bench: {Environment.ProcessorCount} cores, load average {ProcessStats.LoadAverage()} at start; MLP {features}→{hidden}→{classes} " +
            $"({(features * hidden + hidden * classes) / 1e6:0.00} M multiply-adds per input, {model.Bytes.Length / 1e6:0.0} MB); variants: {string.Join(", ", variants.Select(v => v.Label))}; " +
            $"callers {string.Join(',', callers)}; ONNX Runtime threads {(spinning ? "spin" : "sleep")} between runs; {warmUp.TotalSeconds:0.#} s warm-up + {seconds:0.#} s measured per cell");

        var rows = new List<Row>();
        if (paths.Contains("session"))
        {
            rows.AddRange(await SessionPathAsync(model, input, callers, variants, warmUp, measure, spinning));
        }
        if (paths.Contains("http"))
        {
            rows.AddRange(await HttpPathAsync(repository, model, input, callers, variants, warmUp, measure, spinning));
        }

        Console.WriteLine();
        Console.WriteLine("| path | callers | batching | predictions/s | p50 | p99 | inputs per ONNX run |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {row.Path} | {row.Callers} | {row.Variant} | {row.Throughput:N0} | " +
                $"{ResultTable.Milliseconds(row.P50)} | {ResultTable.Milliseconds(row.P99)} | {row.InputsPerRun:0.0} |");
        }
        foreach (var group in rows.GroupBy(r => (r.Path, r.Callers)))
        {
            var off = group.First();
            foreach (var on in group.Skip(1))
            {
                Console.WriteLine($"{group.Key.Path}, {group.Key.Callers} callers, {on.Variant}: {on.Throughput / off.Throughput:0.00}× the throughput of off, p99 {on.P99 / off.P99:0.00}×");
            }
        }
        return 0;
    }

    /// <summary>The session and the batcher in this process: callers submit one input each and wait for its output.</summary>
    private static async Task<List<Row>> SessionPathAsync(TabularClassifierModel model, float[] input, IReadOnlyList<int> callers,
        Variant[] variants, TimeSpan warmUp, TimeSpan measure, bool spinning)
    {
        var directory = Directory.CreateTempSubdirectory("mcp-bench-onnx-").FullName;
        var rows = new List<Row>();
        try
        {
            using var session = OnnxModelSession.Load(model.WriteTo(directory), "cpu", 0, allowSpinning: spinning);
            var item = new TensorItem([new NamedTensor(TabularClassifierModel.FeaturesInput, [input.Length], input)]);
            foreach (var count in callers)
            {
                foreach (var variant in variants)
                {
                    await using var batcher = new DynamicBatcher<TensorItem, TensorItem>(variant.BatchSize, TimeSpan.FromMilliseconds(variant.WaitMs),
                        maxConcurrentRuns: 1, maxQueued: 100_000, items => session.Run(items, null), TimeProvider.System);
                    await ClosedLoopAsync(count, warmUp, () => batcher.SubmitAsync([item], CancellationToken.None));
                    var before = batcher.Counters;
                    var (requests, window, latencies) = await ClosedLoopAsync(count, measure, () => batcher.SubmitAsync([item], CancellationToken.None));
                    var after = batcher.Counters;
                    rows.Add(Row.From("session", count, variant.Label, requests, window, latencies,
                        (double)(after.Items - before.Items) / Math.Max(1, after.Runs - before.Runs)));
                    Console.WriteLine(rows[^1]);
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        return rows;
    }

    /// <summary>The product: a gateway process, single predictions over HTTP, one model batching and one not.</summary>
    private static async Task<List<Row>> HttpPathAsync(string repository, TabularClassifierModel model, float[] input, IReadOnlyList<int> callers,
        Variant[] variants, TimeSpan warmUp, TimeSpan measure, bool spinning)
    {
        await using var gateway = await GatewayProcess.StartAsync(repository, streamingSettings: false,
            new Dictionary<string, string> { ["MCP_Models__Hosting__AllowSpinning"] = spinning ? "true" : "false" });
        using var admin = new HttpClient { BaseAddress = gateway.Address };
        admin.DefaultRequestHeaders.Add("X-API-Key", GatewayProcess.AdminKey);
        var key = await admin.PostAsJsonAsync("/api/keys", new { owner = "bench", permissions = new[] { "execute", "read" }, rate_limit = "1000000/minute" });
        key.EnsureSuccessStatusCode();
        var apiKey = (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString()!;
        var ids = new Dictionary<Variant, string>();
        foreach (var variant in variants)
        {
            var registered = await admin.PostAsJsonAsync("/api/models", new
            {
                name = $"bench-{ids.Count}",
                provider = "onnx",
                config = new { batch_size = variant.BatchSize, batch_wait_ms = variant.WaitMs },
            });
            registered.EnsureSuccessStatusCode();
            var id = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model_id").GetString()!;
            using var file = new ByteArrayContent(model.Bytes);
            file.Headers.ContentType = new("application/octet-stream");
            var uploaded = await admin.PutAsync($"/api/models/{id}/artifact", file);
            if (!uploaded.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Upload failed: {(int)uploaded.StatusCode} {await uploaded.Content.ReadAsStringAsync()}");
            }
            ids[variant] = id;
        }
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { features = input }));
        var headers = new Dictionary<string, string> { ["X-API-Key"] = apiKey };
        var rows = new List<Row>();
        foreach (var count in callers)
        {
            foreach (var variant in variants)
            {
                await using var load = await LoadGenerator.OpenAsync(new LoadTarget(gateway.Address, $"/api/models/{ids[variant]}/predict", headers, body), count, useHttpClient: false);
                await load.RunAsync(warmUp, record: false);
                var before = await SessionCountersAsync(admin, ids[variant]);
                var result = await load.RunAsync(measure, record: true);
                var after = await SessionCountersAsync(admin, ids[variant]);
                if (result.Errors > 0)
                {
                    Console.WriteLine($"  {result.Errors} errors; first: {result.FirstError}");
                }
                var sorted = result.LatenciesMs.Order().ToArray();
                rows.Add(new Row("http", count, variant.Label, LatencyStats.Throughput(result.Requests, result.Window),
                    LatencyStats.Percentile(sorted, 0.5), LatencyStats.Percentile(sorted, 0.99),
                    (double)(after.Inputs - before.Inputs) / Math.Max(1, after.Runs - before.Runs)));
                Console.WriteLine(rows[^1]);
            }
        }
        return rows;
    }

    /// <summary>The host's counters, as the model's status shows them (a host reports every 5 s, so read after one report).</summary>
    private static async Task<(long Runs, long Inputs)> SessionCountersAsync(HttpClient admin, string id)
    {
        await Task.Delay(TimeSpan.FromSeconds(6));
        var status = await admin.GetFromJsonAsync<JsonElement>($"/api/models/{id}/status");
        return status.GetProperty("hosting").GetProperty("session") is { ValueKind: JsonValueKind.Object } session
            ? (session.GetProperty("runs").GetInt64(), session.GetProperty("inputs").GetInt64())
            : (0, 0);
    }

    private static async Task<(long Requests, TimeSpan Window, double[] LatenciesMs)> ClosedLoopAsync(int callers, TimeSpan duration, Func<Task> call)
    {
        var latencies = new List<double>[callers];
        var clock = Stopwatch.StartNew();
        var deadline = duration;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(1 << 16);
            await Task.Yield();
            while (clock.Elapsed < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                await call();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var window = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return (all.Length, window, all);
    }

    private static IReadOnlyList<int> Ints(string[] args, string name, int[] fallback) =>
        BenchArguments.Value(args, name) is { } text ? text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mcp.Cluster.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Run from inside the repository, or give --repo.");
    }

    /// <summary>A batching setting: <c>batch_size</c> and <c>batch_wait_ms</c> (0: an idle session runs at once, a busy one gathers).</summary>
    private sealed record Variant(string Label, int BatchSize, double WaitMs);

    private sealed record Row(string Path, int Callers, string Variant, double Throughput, double P50, double P99, double InputsPerRun)
    {
        public static Row From(string path, int callers, string variant, long requests, TimeSpan window, double[] sortedLatencies, double inputsPerRun) =>
            new(path, callers, variant, LatencyStats.Throughput(requests, window),
                LatencyStats.Percentile(sortedLatencies, 0.5), LatencyStats.Percentile(sortedLatencies, 0.99), inputsPerRun);

        public override string ToString() =>
            $"  {Path,-7} {Callers,3} callers, batching {Variant,-22}: {Throughput,9:N0}/s, p50 {P50:0.000} ms, p99 {P99:0.000} ms, {InputsPerRun:0.0} inputs/run";
    }
}
