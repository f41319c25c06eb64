using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>At most three raw SQL statements per source and two per key, each stopped after 6 s.</summary>
public sealed class SqlSlotsGateway() : DataGateway(new Dictionary<string, string?>
{
    ["DataSources:QueryTimeout"] = "00:00:06",
    ["DataSources:MaxConcurrentSql"] = "3",
    ["DataSources:MaxConcurrentSqlPerKey"] = "2",
});

/// <summary>
/// Issue 15 retest, F5a: six endless raw SQL statements at once each held a thread and a core until the timeout and
/// starved the node. A source runs a bounded number at once (DataSources:MaxConcurrentSql, per key
/// DataSources:MaxConcurrentSqlPerKey); more are refused at once with 503, Retry-After and data_source_unavailable.
/// </summary>
[Trait("Tier", "Api")]
public sealed class RawSqlConcurrencyTests(SqlSlotsGateway gateway) : IClassFixture<SqlSlotsGateway>, IAsyncLifetime
{
    private const string Endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c";

    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A source of its own over the sample jobs file, so each test starts with every slot free.</summary>
    private async Task<string> SourceAsync()
    {
        var name = $"slots_{Guid.NewGuid():N}"[..16];
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/datasources", new { name, type = "sqlite", config = new { path = "samples/jobs.db" } });
        await created.AssertOkAsync(HttpStatusCode.Created);
        return name;
    }

    private async Task<HttpClient> SqlClientAsync(string source)
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = $"slots-{Guid.NewGuid():N}"[..16], permissions = new[] { "read" } });
        await gateway.GrantAsync(source, keyId, new { sql = true });
        return gateway.CreateClient(apiKey);
    }

    private static async Task<(HttpStatusCode Status, string Error, bool RetryAfter, TimeSpan Elapsed)> RunAsync(HttpClient client, string source)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync("/api/data/sql", new { source, sql = Endless });
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (response.StatusCode, body.GetProperty("error").GetString()!, response.Headers.RetryAfter is not null, clock.Elapsed);
    }

    private static void AssertShares(IReadOnlyList<(HttpStatusCode Status, string Error, bool RetryAfter, TimeSpan Elapsed)> answers, int ran, int refused)
    {
        var timedOut = answers.Where(a => a.Status == HttpStatusCode.GatewayTimeout).ToList();
        var busy = answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        var all = string.Join(", ", answers.Select(a => $"{(int)a.Status} {a.Error} {a.Elapsed.TotalSeconds:0.0}s"));
        Assert.True(timedOut.Count == ran && busy.Count == refused, all);
        Assert.All(timedOut, a => Assert.Equal("query_timeout", a.Error));
        Assert.All(busy, a => Assert.Equal("data_source_unavailable", a.Error));
        Assert.All(busy, a => Assert.True(a.RetryAfter, "a busy answer carries Retry-After"));
        // Refused at once, not after waiting for a slot.
        Assert.True(busy.Max(a => a.Elapsed) < timedOut.Min(a => a.Elapsed), all);
    }

    [Fact]
    public async Task A_source_runs_at_most_MaxConcurrentSql_statements_and_refuses_the_rest_at_once()
    {
        var source = await SourceAsync();
        var clients = new List<HttpClient>();
        for (var i = 0; i < 5; i++)
        {
            clients.Add(await SqlClientAsync(source));
        }
        var answers = await Task.WhenAll(clients.Select(c => RunAsync(c, source)));
        AssertShares(answers, ran: 3, refused: 2);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_key_runs_at_most_MaxConcurrentSqlPerKey_statements_on_a_source()
    {
        var source = await SourceAsync();
        using var client = await SqlClientAsync(source);
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RunAsync(client, source)));
        AssertShares(answers, ran: 2, refused: 1);
        // Once they have really stopped (the slot is given back after SQLite's interrupt lands, just after the answer),
        // the key's slots are free again.
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(10));
        while (true)
        {
            using var again = await client.PostAsJsonAsync("/api/data/sql", new { source, sql = "SELECT count(*) AS n FROM jobs" });
            if (again.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                await again.AssertOkAsync();
                break;
            }
            await Task.Delay(50);
        }
    }
}
