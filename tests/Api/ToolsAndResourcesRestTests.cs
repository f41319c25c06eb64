using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

/// <summary>The REST mirrors of the MCP tools and resources: same filtering, governance and errors.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class ToolsAndResourcesRestTests(SharedGatewayFactory gateway)
{
    private async Task WaitForSamplesAsync(HttpClient client) =>
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await client.GetStringAsync("/api/datasources")).Contains("homebuilders_db", StringComparison.Ordinal)
            && (await client.GetAsync("/api/models/sentiment")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "the samples and the built-in model");

    [Fact]
    public async Task Tools_are_listed_and_executed_as_over_mcp()
    {
        var (_, key) = await gateway.CreateKeyAsync(new { owner = "rest-agent", permissions = new[] { "read", "execute" } });
        using var client = gateway.CreateClient(key);
        await WaitForSamplesAsync(client);

        var tools = (await client.GetFromJsonAsync<JsonElement>("/tools")).GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Contains("data.query", tools.Keys);
        Assert.Equal("object", tools["model.sentiment"].GetProperty("input_schema").GetProperty("type").GetString());

        using (var run = await client.PostAsJsonAsync("/tools/model.sentiment/execute", new { text = "awful, it broke after a day" }))
        {
            var body = await run.AssertOkAsync();
            Assert.False(body.GetProperty("is_error").GetBoolean());
            Assert.Equal("negative", body.GetProperty("structured_content").GetProperty("sentiment").GetString());
        }
        using (var invalid = await client.PostAsJsonAsync("/tools/model.sentiment/execute", new { words = "no text" }))
        {
            Assert.True((await invalid.AssertOkAsync()).GetProperty("is_error").GetBoolean());
        }
        using (var query = await client.PostAsJsonAsync("/tools/data.query/execute", new { source = "jobs_db", table = "jobs", limit = 2 }))
        {
            Assert.Equal(2, (await query.AssertOkAsync()).GetProperty("structured_content").GetProperty("row_count").GetInt32());
        }
        using (var unknown = await client.PostAsJsonAsync("/tools/model.no-such-model/execute", new { }))
        {
            await unknown.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var notJson = await client.PostAsync("/tools/data.query/execute", new StringContent("[1]", System.Text.Encoding.UTF8, "application/json")))
        {
            await notJson.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }

        // A key without execute sees no model tools and cannot run them.
        var (_, readOnly) = await gateway.CreateKeyAsync(new { owner = "rest-reader", permissions = new[] { "read" } });
        using var reader = gateway.CreateClient(readOnly);
        var readerTools = (await reader.GetFromJsonAsync<JsonElement>("/tools")).GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.DoesNotContain("model.sentiment", readerTools);
        using var refused = await reader.PostAsJsonAsync("/tools/model.sentiment/execute", new { text = "hi" });
        await refused.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_http_endpoint_registered_as_a_tool_is_listed_and_executed()
    {
        await using var service = new ModelServiceWireServer("svc-tool-secret");
        await service.StartAsync();
        // The admin key: the service listens on loopback, which non-admin keys may not target (outbound policy).
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = $"fraud-{Guid.NewGuid():N}"[..16];
        using (var registered = await client.PostAsJsonAsync("/tools", new
        {
            name, description = "Scores a payment's fraud risk",
            input_schema = new { type = "object", properties = new { amount = new { type = "number" } }, required = new[] { "amount" } },
            output_schema = new { type = "object", properties = new { risk = new { type = "number" }, flagged = new { type = "boolean" } }, required = new[] { "risk" } },
            url = new Uri(service.BaseUri, "predict").ToString(),
            headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-tool-secret" },
        }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        var tools = (await client.GetFromJsonAsync<JsonElement>("/tools")).GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal("amount", tools[$"model.{name}"].GetProperty("input_schema").GetProperty("required")[0].GetString());
        using (var run = await client.PostAsJsonAsync($"/tools/model.{name}/execute", new { amount = 9000 }))
        {
            var body = await run.AssertOkAsync();
            Assert.Equal(0.9, body.GetProperty("structured_content").GetProperty("risk").GetDouble());
            Assert.True(body.GetProperty("structured_content").GetProperty("flagged").GetBoolean());
        }
        using (var invalid = await client.PostAsJsonAsync($"/tools/model.{name}/execute", new { amount = "lots" }))
        {
            Assert.True((await invalid.AssertOkAsync()).GetProperty("is_error").GetBoolean());
        }
        using (var badUrl = await client.PostAsJsonAsync("/tools", new { name = name + "x", url = "file:///etc/passwd" }))
        {
            await badUrl.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
    }

    [Fact]
    public async Task Resources_are_listed_and_read_under_the_keys_grants()
    {
        var (_, key) = await gateway.CreateKeyAsync(new { owner = "rest-reader", permissions = new[] { "read" } });
        using var client = gateway.CreateClient(key);
        await WaitForSamplesAsync(client);
        var list = await client.GetFromJsonAsync<JsonElement>("/resources");
        Assert.Contains("datasource://homebuilders_db/builders", list.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("uri").GetString()));
        Assert.Equal("datasource://{source}/{table}", list.GetProperty("resource_templates")[0].GetProperty("uri_template").GetString());

        var table = await client.GetFromJsonAsync<JsonElement>("/resources/read?uri=" + Uri.EscapeDataString("datasource://homebuilders_db/builders"));
        Assert.All(table.GetProperty("rows").EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("phone").ValueKind));
        using (var missing = await client.GetAsync("/resources/read"))
        {
            await missing.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var unknown = await client.GetAsync("/resources/read?uri=" + Uri.EscapeDataString("datasource://nope_db")))
        {
            await unknown.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var foreign = await client.GetAsync("/resources/read?uri=" + Uri.EscapeDataString("file:///etc/passwd")))
        {
            await foreign.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }
}
