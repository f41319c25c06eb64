using Mcp.Cluster.Client;
using Mcp.Cluster.Tests.DataSources.Ask;

namespace Mcp.Cluster.Bench;

/// <summary>
/// The plain-language translator's score on the held-out question set (tests/DataSources/Ask/questions.json), the same
/// table AskAccuracyTests writes: <c>ask-accuracy --url http://127.0.0.1:8000 --key $KEY</c> against a running gateway
/// (the key also from MCP_API_KEY), or with no <c>--url</c> against a release gateway it starts on a private data
/// directory. With a key that may create keys, the questions are asked by a new read-only key with room for two calls
/// per question (and the schema a reader sees); otherwise by the key given. <c>--out DIR</c> also writes report.txt
/// and report.json there. Exit code 0 when the score is at least the set's min_score, else 1.
/// </summary>
public static class AskAccuracyBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var repository = BenchArguments.Value(args, "--repo") ?? BenchOptions.Parse([]).Repository;
        var set = AskQuestionSet.Load(BenchArguments.Value(args, "--questions") ?? AskQuestionSet.DefaultPath(repository));
        var url = BenchArguments.Value(args, "--url");
        GatewayProcess? started = null;
        try
        {
            Uri address;
            string key;
            if (url is null)
            {
                started = await GatewayProcess.StartAsync(repository, streamingSettings: false);
                address = started.Address;
                key = GatewayProcess.AdminKey;
                Console.WriteLine($"started a release gateway at {address} (pid {started.Pid})");
            }
            else
            {
                address = new Uri(url);
                key = BenchArguments.Value(args, "--key") ?? Environment.GetEnvironmentVariable("MCP_API_KEY")
                    ?? throw new ArgumentException("Give the key with --key or MCP_API_KEY.");
            }
            using var given = new McpClient(new McpClientOptions { BaseAddress = address, ApiKey = key });
            await WaitForSamplesAsync(given);
            var asker = await ReaderKeyAsync(given, address) ?? key;
            using var client = new McpClient(new McpClientOptions { BaseAddress = address, ApiKey = asker });

            var report = await new AskAccuracyRun(client).RunAsync(set);

            var table = report.ToTable();
            Console.WriteLine(table);
            if (BenchArguments.Value(args, "--out") is { } output)
            {
                Directory.CreateDirectory(output);
                await File.WriteAllTextAsync(Path.Combine(output, "report.txt"), table);
                await File.WriteAllTextAsync(Path.Combine(output, "report.json"), report.ToJson());
            }
            return report.Score >= set.MinScore ? 0 : 1;
        }
        finally
        {
            if (started is not null)
            {
                await started.DisposeAsync();
            }
        }
    }

    /// <summary>A read-only key with a rate limit that never binds, when the given key may make one; else null.</summary>
    private static async Task<string?> ReaderKeyAsync(McpClient client, Uri address)
    {
        try
        {
            var key = await client.CreateKeyAsync(new CreateKeyRequest
            {
                Owner = "ask-accuracy-bench", Description = "ask-accuracy bench", Permissions = ["read"], RateLimit = "100000/minute", ExpiresInDays = 1,
            });
            return key.ApiKey;
        }
        catch (McpApiException e) when (e is McpForbiddenException or McpValidationException || (int)e.StatusCode == 409)
        {
            Console.WriteLine($"asking with the given key ({(int)e.StatusCode} {e.Error} making a reader key at {address})");
            return null;
        }
    }

    private static async Task WaitForSamplesAsync(McpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var sources = await client.ListSourcesAsync();
            if (sources.DataSources.Any(s => s.Name == "jobs_db") && sources.DataSources.Any(s => s.Name == "homebuilders_db"))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The sample sources jobs_db and homebuilders_db are not there.");
            }
            await Task.Delay(200);
        }
    }
}
