using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// Reads keep working after the node restarts: the data-source grains come back from storage, not from a
/// registration, so nothing a read needs may be prepared only at registration (the masker once was, and every cached
/// read after a restart failed with 503 until raw SQL happened to prepare it).
/// </summary>
[Trait("Tier", "Api")]
public sealed class DataSourceRestartTests
{
    [Fact]
    public async Task Structured_reads_with_masks_and_the_cache_work_after_a_restart()
    {
        using var data = new TempDirectory();
        var query = new { source = "homebuilders_db", table = "builders", fields = new[] { "name", "contact_email" }, limit = 2 };
        string firstAnswer;
        await using (var first = new GatewayFactory(null, data.Path))
        {
            firstAnswer = await QueryAsync(first, query);
        }
        await using var second = new GatewayFactory(null, data.Path);
        var (_, apiKey) = await second.CreateKeyAsync(new { owner = "restart-reader", permissions = new[] { "read" } });
        using var reader = second.CreateClient(apiKey);
        await WaitForSamplesAsync(second);
        using var response = await reader.PostAsJsonAsync("/api/data/query", query);
        var body = await response.AssertOkAsync();
        Assert.Equal(2, body.GetProperty("row_count").GetInt32());
        // Masked for a non-admin, with the source's own salt, which the restart kept.
        Assert.Contains("****@", body.GetProperty("rows")[0].GetProperty("contact_email").GetString());
        Assert.Equal(firstAnswer, await QueryAsync(second, query));
    }

    /// <summary>A non-admin's answer (masked), rows only.</summary>
    private static async Task<string> QueryAsync(GatewayFactory gateway, object query)
    {
        await WaitForSamplesAsync(gateway);
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "reader-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read" } });
        using var client = gateway.CreateClient(apiKey);
        using var response = await client.PostAsJsonAsync("/api/data/query", query);
        return (await response.AssertOkAsync()).GetProperty("rows").GetRawText();
    }

    private static async Task WaitForSamplesAsync(GatewayFactory gateway)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/datasources");
            if (list.GetProperty("data_sources").EnumerateArray().Any(s => s.GetProperty("name").GetString() == "homebuilders_db"))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The sample data sources were not registered within 60 s.");
    }
}
