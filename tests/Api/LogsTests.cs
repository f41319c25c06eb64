using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary><c>GET /logs</c>: this process's recent structured log entries, for admins.</summary>
[Collection(DataCollection.Name)]
[Trait("Tier", "Api")]
public sealed class LogsTests(DataGateway gateway)
{
    [Fact]
    public async Task Recent_warnings_are_listed_with_their_structured_values_for_admins_only()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = $"broken_{Guid.NewGuid():N}"[..16];
        using (var created = await admin.PostAsJsonAsync("/api/datasources", new { name, type = "sqlite", config = new { path = "samples/no/such/file.db" } }))
        {
            Assert.Equal("error", (await created.AssertOkAsync(HttpStatusCode.Created)).GetProperty("status").GetString());
        }

        var page = await admin.GetFromJsonAsync<JsonElement>("/logs?level=warning&category=Mcp.Cluster.DataSources&limit=50");
        var entry = page.GetProperty("entries").EnumerateArray()
            .First(e => e.GetProperty("properties").TryGetProperty("Source", out var source) && source.GetString() == name);
        Assert.Equal("Warning", entry.GetProperty("level").GetString());
        Assert.Contains("Schema discovery", entry.GetProperty("message").GetString());
        Assert.Contains("FileNotFoundException", entry.GetProperty("exception").GetString());

        var all = await admin.GetFromJsonAsync<JsonElement>("/logs?limit=5");
        Assert.Equal(5, all.GetProperty("entries").GetArrayLength());
        var next = all.GetProperty("next_before").GetInt64();
        var older = await admin.GetFromJsonAsync<JsonElement>($"/logs?limit=5&before={next}");
        Assert.All(older.GetProperty("entries").EnumerateArray(), e => Assert.True(e.GetProperty("sequence").GetInt64() < next));

        using (var bad = await admin.GetAsync("/logs?level=loud"))
        {
            await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var bad = await admin.GetAsync("/logs?limit=1001"))
        {
            await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        var (_, key) = await gateway.CreateKeyAsync(new { owner = "curious", permissions = new[] { "read" } });
        using var reader = gateway.CreateClient(key);
        using var forbidden = await reader.GetAsync("/logs");
        await forbidden.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
