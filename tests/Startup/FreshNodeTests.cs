using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Startup;

/// <summary>
/// The README's run command as a newcomer runs it: the gateway from its content root with no settings at all (no
/// environment, no command line; the default port and data folder), then the README's first key, prediction and data
/// examples as written; then a restart and the same again.
/// </summary>
[Trait("Tier", "System")]
[Collection(DefaultPortCollection.Name)]
public sealed class FreshNodeTests
{
    private static readonly Uri DefaultAddress = new("http://localhost:8000");

    [Fact]
    public async Task The_readme_run_command_with_no_settings_serves_the_readme_examples_before_and_after_a_restart()
    {
        // `dotnet run --project gateway` runs with gateway/ as its content root: appsettings.json and a relative data folder.
        using var contentRoot = new TempDirectory();
        File.Copy(Path.Combine(CommandLine.RepositoryRoot, "gateway", "appsettings.json"), Path.Combine(contentRoot.Path, "appsettings.json"));

        string admin, key;
        await using (var node = NodeProcess.Start("fresh-gateway", "gateway", new Dictionary<string, string>(), contentRoot.Path))
        {
            await node.WaitUntilReadyAsync(DefaultAddress, TimeSpan.FromMinutes(3));
            admin = await node.BootstrapAdminKeyAsync(TimeSpan.FromMinutes(1));
            using var http = new HttpClient { BaseAddress = DefaultAddress, Timeout = TimeSpan.FromSeconds(60) };

            // The first key example of docs/api/keys.md, pasted as written.
            using var created = await http.PostAsync("/api/keys", Json("""
                {"owner": "alice", "description": "laptop", "permissions": ["read", "write", "execute"], "rate_limit": "60/minute", "expires_in_days": 90}
                """));
            var body = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body);
            key = JsonDocument.Parse(body).RootElement.GetProperty("api_key").GetString()!;

            await UseEverythingAsync(http, admin, key);
            Assert.DoesNotContain(node.Output, line => line.Contains("Preparing data sources failed", StringComparison.Ordinal));
            await node.StopAsync(TimeSpan.FromMinutes(1));
        }
        Assert.True(File.Exists(Path.Combine(contentRoot.Path, "data", "grains.db")), "state is kept in the content root's data folder");

        // Restarted as a service manager would start it: from another working directory, naming the content root.
        // Every relative path still means the content root's, so the node finds its state again.
        using var elsewhere = new TempDirectory();
        await using (var node = NodeProcess.Start("fresh-gateway-restarted", "gateway", new Dictionary<string, string>(), elsewhere.Path,
            ["--contentRoot", contentRoot.Path]))
        {
            await node.WaitUntilReadyAsync(DefaultAddress, TimeSpan.FromMinutes(3));
            using var http = new HttpClient { BaseAddress = DefaultAddress, Timeout = TimeSpan.FromSeconds(60) };
            await UseEverythingAsync(http, admin, key);
            Assert.DoesNotContain(node.Output, NodeProcess.IsPrintedAdminKey);
        }
        Assert.False(Directory.Exists(Path.Combine(elsewhere.Path, "data")), "nothing is written relative to the working directory");
    }

    private static async Task UseEverythingAsync(HttpClient http, string admin, string key)
    {
        using var me = await SendAsync(http, HttpMethod.Get, "/api/keys/me", key, null);
        Assert.Equal("alice", (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("owner").GetString());

        using var predicted = await SendAsync(http, HttpMethod.Post, "/api/models/sentiment/predict", admin,
            """{"text": "The support team fixed it in minutes, brilliant"}""");
        var prediction = await predicted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("positive", prediction.GetProperty("sentiment").GetString());

        using var sources = await SendAsync(http, HttpMethod.Get, "/api/datasources", key, null);
        var names = (await sources.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data_sources").EnumerateArray()
            .Select(s => s.GetProperty("name").GetString()).ToArray();
        Assert.Contains("jobs_db", names);
        Assert.Contains("homebuilders_db", names);

        using var queried = await SendAsync(http, HttpMethod.Post, "/api/data/query", key, """
            {
              "source": "jobs_db", "table": "jobs", "fields": ["job_id", "title", "company", "salary_range"],
              "filters": [{"field": "title", "op": "contains", "value": "engineer"}, {"field": "location", "op": "in", "value": ["Austin, TX", "Remote"]}],
              "order_by": ["-posted_date"], "limit": 5}
            """);
        var result = await queried.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("jobs_db", result.GetProperty("source").GetString());
        Assert.InRange(result.GetProperty("row_count").GetInt32(), 1, 5);

        using var masked = await SendAsync(http, HttpMethod.Post, "/api/data/query", key,
            """{"source": "homebuilders_db", "table": "builders", "limit": 2}""");
        Assert.Equal(2, (await masked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("row_count").GetInt32());
    }

    /// <summary>Sends and requires a 2xx, with the body in the failure message.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string key, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-Key", key);
        if (json is not null)
        {
            request.Content = Json(json);
        }
        var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return response;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
