using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15 retest, F11a: SQLite's [identifiers] and its unnested /* */ comments hide a second statement from our
/// single-statement scan, and Microsoft.Data.Sqlite runs every statement of a command. SQLite's own parser must
/// decide: the second statement here counts forever, so a run of it would answer only at the query timeout.
/// </summary>
[Collection(SandboxCollection.Name)]
[Trait("Tier", "Api")]
public sealed class SqliteStatementSplittingTests(SandboxGateway gateway) : IAsyncLifetime
{
    private const string Endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c";

    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<HttpClient> SqlClientAsync()
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = $"split-{Guid.NewGuid():N}"[..16], permissions = new[] { "read" } });
        await gateway.GrantAsync("jobs_db", keyId, new { sql = true });
        return gateway.CreateClient(apiKey);
    }

    [Theory]
    [InlineData("select 1 as [a']; " + Endless + " --'")]
    [InlineData("select 1 /* /* */ ; " + Endless + " -- */")]
    [InlineData("select 1 as [a']; select 2 --'")]
    public async Task A_second_statement_hidden_from_our_scan_is_refused_before_it_runs(string sql)
    {
        using var client = await SqlClientAsync();
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql });
        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("sql", body.GetProperty("field").GetString());
        // The query timeout is 5 s: an answer well before it means the endless statement never ran.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("SELECT count(*) AS n FROM jobs;")]
    [InlineData("SELECT count(*) AS n FROM jobs /* a ; b */ -- c ; d")]
    [InlineData("SELECT count(*) AS n FROM [jobs] ; /* trailing */")]
    public async Task One_statement_with_trailing_comments_still_runs(string sql)
    {
        using var client = await SqlClientAsync();
        using var response = await client.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql });
        var count = DataGateway.Rows(await response.AssertOkAsync()).Single().GetProperty("n").GetInt64();
        Assert.Equal((long)DataGateway.ReadDirect(gateway.JobsFile, "SELECT count(*) FROM jobs").Single()[0]!, count);
    }
}
