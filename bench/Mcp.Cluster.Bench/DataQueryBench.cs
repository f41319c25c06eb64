using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mcp.Cluster.Bench;

/// <summary>
/// Structured queries against the sample jobs_db of a release gateway: <c>data --connections 32 --seconds 10</c>.
/// Runs each scenario for the given time with N concurrent request loops and reports requests/s and latency
/// percentiles, then checks that the source counted (and audited) every query that was answered.
/// Scenarios: a repeated query answered from the cache; distinct queries on a source with caching off (each one a
/// SQLite read, masking and an audit entry committed before the answer); the same for a non-admin key with masks.
/// </summary>
public static class DataQueryBench
{
    public static async Task RunAsync(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var connections = int.Parse(Value("--connections") ?? "32");
        var duration = TimeSpan.FromSeconds(int.Parse(Value("--seconds") ?? "10"));
        var rounds = int.Parse(Value("--rounds") ?? "2");
        var repository = BenchOptions.Parse(args).Repository;

        await using var gateway = await GatewayProcess.StartAsync(repository, streamingSettings: false);
        using var admin = new HttpClient { BaseAddress = gateway.Address };
        admin.DefaultRequestHeaders.Add("X-API-Key", GatewayProcess.AdminKey);
        await WaitForSamplesAsync(admin);

        var jobsFile = Path.Combine(gateway.DataDirectory, "samples", "jobs.db");
        var registered = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name = "jobs_uncached", type = "sqlite", config = new { path = jobsFile }, default_access = "read", cache_ttl_seconds = 0,
            masks = new Dictionary<string, string> { ["jobs.company"] = "hash", ["jobs.salary_range"] = "partial" },
        });
        registered.EnsureSuccessStatusCode();
        // The bootstrap admin key keeps the default rate limit; the loops use keys made for the run.
        using var fastAdmin = await ClientForNewKeyAsync(admin, gateway.Address, "admin");
        using var reader = await ClientForNewKeyAsync(admin, gateway.Address, "read");

        Console.WriteLine($"{connections} concurrent loops, {duration.TotalSeconds:0} s per scenario, {rounds} rounds; gateway pid {gateway.Pid}");
        for (var round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"round {round}");
            await RoundAsync(gateway, fastAdmin, reader, connections, duration);
        }

        var status = await admin.GetFromJsonAsync<JsonElement>("/api/datasources/jobs_uncached/status");
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?source=jobs_uncached&limit=1");
        Console.WriteLine($"jobs_uncached counted {status.GetProperty("queries").GetInt64()} queries; newest audit entry id {audit.GetProperty("entries")[0].GetProperty("id").GetInt64()}");
        Console.WriteLine($"gateway resident memory at the end: {gateway.Memory().Rss / 1048576.0:F0} MB");
        // After a full compacting collection: what is really held (the RSS above includes the GC's headroom).
        var runtime = await admin.GetFromJsonAsync<JsonElement>("/health/runtime?collect=true");
        Console.WriteLine($"live managed heap after a full collection: {runtime.GetProperty("gc_heap_size_bytes").GetInt64() / 1048576.0:F0} MB, " +
            $"GC mode {runtime.GetProperty("gc_mode").GetString()}, resident {gateway.Memory().Rss / 1048576.0:F0} MB; " +
            $"activations: {string.Join(", ", runtime.GetProperty("activations").EnumerateObject().OrderByDescending(a => a.Value.GetInt32()).Take(6).Select(a => $"{a.Name.Split('.').Last()} {a.Value}"))}");
    }

    private static async Task RoundAsync(GatewayProcess gateway, HttpClient admin, HttpClient reader, int connections, TimeSpan duration)
    {
        await ScenarioAsync("cached (same query, jobs_db)", gateway, admin, connections, duration, _ => new
        {
            source = "jobs_db", table = "jobs", filters = new[] { new { field = "title", op = "contains", value = "engineer" } }, order_by = "-posted_date", limit = 20,
        });
        await ScenarioAsync("uncached, admin (distinct filters, cache off)", gateway, admin, connections, duration, i => new
        {
            source = "jobs_uncached", table = "jobs", filters = new object[] { new { field = "job_id", op = "gte", value = i % 240 } }, order_by = "job_id", limit = 20,
        });
        await ScenarioAsync("uncached, masked key (hash + partial)", gateway, reader, connections, duration, i => new
        {
            source = "jobs_uncached", table = "jobs", filters = new object[] { new { field = "job_id", op = "gte", value = i % 240 } }, order_by = "job_id", limit = 20,
        });
    }

    private static async Task ScenarioAsync(string name, GatewayProcess gateway, HttpClient client, int connections, TimeSpan duration, Func<long, object> body)
    {
        // Warm-up under the same load for 3 s (JIT tiering, connection pools, first reads), not measured.
        long counter = 0, errors = 0;
        var warmUp = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (warmUp.Elapsed < TimeSpan.FromSeconds(3))
            {
                using var response = await client.PostAsJsonAsync("/api/data/query", body(Interlocked.Increment(ref counter)));
                response.EnsureSuccessStatusCode();
            }
        }));
        var latencies = new List<double>[connections];
        var cpuBefore = gateway.CpuTime();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(100_000);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync("/api/data/query", body(Interlocked.Increment(ref counter)));
                await response.Content.CopyToAsync(Stream.Null);
                if (response.IsSuccessStatusCode)
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var cpu = gateway.CpuTime() - cpuBefore;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        Console.WriteLine($"{name}: {all.Length / clock.Elapsed.TotalSeconds:F0} queries/s, p50 {Percentile(0.50):F2} ms, p99 {Percentile(0.99):F2} ms, errors {errors}; gateway CPU {cpu.TotalMilliseconds * 1000 / Math.Max(1, all.Length):F0} µs per query ({cpu / clock.Elapsed:P0} of one core)");
    }

    private static async Task<HttpClient> ClientForNewKeyAsync(HttpClient admin, Uri address, string permission)
    {
        var response = await admin.PostAsJsonAsync("/api/keys", new { owner = "bench", permissions = new[] { permission }, rate_limit = "1000000/minute" });
        response.EnsureSuccessStatusCode();
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Add("X-API-Key", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString());
        return client;
    }

    private static async Task WaitForSamplesAsync(HttpClient admin)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/datasources");
            if (list.GetProperty("total").GetInt32() >= 2)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The sample data sources were not registered.");
    }
}
