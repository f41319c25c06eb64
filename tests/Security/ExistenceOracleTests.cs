using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15, item 8: a caller cannot tell a source, table or field it may not see from one that does not exist:
/// same status, code, fields of the answer and wording (apart from the name it asked for). Admins get precise answers.
/// </summary>
[Collection(DataCollection.Name)]
[Trait("Tier", "Api")]
public sealed class ExistenceOracleTests(DataGateway gateway) : IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> HiddenSourceAsync(bool disabled = false)
    {
        var name = $"h_{Guid.NewGuid():N}"[..16];
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var created = await admin.PostAsJsonAsync("/api/datasources", new { name, type = "sqlite", config = new { path = gateway.JobsFile }, default_access = "none" }))
        {
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        if (disabled)
        {
            using var patched = await admin.PatchAsJsonAsync($"/api/datasources/{name}", new { disabled = true });
            await patched.AssertOkAsync();
        }
        return name;
    }

    /// <summary>Status and body with the asked-for name and the timestamp taken out, for comparison.</summary>
    private static async Task<string> ShapeAsync(HttpResponseMessage response, params string[] names)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text)!;
        body.Remove("timestamp");
        var shape = $"{(int)response.StatusCode} {JsonSerializer.Serialize(body.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary())}";
        foreach (var name in names)
        {
            shape = shape.Replace(name, "NAME", StringComparison.Ordinal);
        }
        return shape;
    }

    [Fact]
    public async Task A_hidden_source_answers_exactly_like_a_missing_one()
    {
        var hidden = await HiddenSourceAsync();
        var hiddenDisabled = await HiddenSourceAsync(disabled: true);
        var missing = $"m_{Guid.NewGuid():N}"[..16];
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "outsider", permissions = new[] { "read" } });
        using var client = gateway.CreateClient(apiKey);

        async Task<string[]> AnswersAsync(string source)
        {
            var shapes = new List<string>();
            using (var r = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs" })) shapes.Add(await ShapeAsync(r, source));
            using (var r = await client.PostAsJsonAsync("/api/data/sql", new { source, sql = "SELECT 1" })) shapes.Add(await ShapeAsync(r, source));
            using (var r = await client.GetAsync($"/api/datasources/{source}")) shapes.Add(await ShapeAsync(r, source));
            using (var r = await client.GetAsync($"/api/datasources/{source}/schema")) shapes.Add(await ShapeAsync(r, source));
            using (var r = await client.GetAsync($"/api/datasources/{source}/status")) shapes.Add(await ShapeAsync(r, source));
            return [.. shapes];
        }

        var absent = await AnswersAsync(missing);
        Assert.All(absent, shape => Assert.StartsWith("404 ", shape));
        Assert.Equal(absent, await AnswersAsync(hidden));
        Assert.Equal(absent, await AnswersAsync(hiddenDisabled));

        // Admins are told the truth.
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var disabledForAdmin = await admin.PostAsJsonAsync("/api/data/query", new { source = hiddenDisabled, table = "jobs" });
        await disabledForAdmin.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "data_source_unavailable");

        // The audit log keeps the real reason.
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={hidden}&decision=denied&limit=10");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("reason").GetString()!.Contains("no grant"));
    }

    [Fact]
    public async Task A_hidden_field_answers_exactly_like_an_unknown_one()
    {
        var source = await HiddenSourceAsync();
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "narrow", permissions = new[] { "read" } });
        await gateway.GrantAsync(source, keyId, new { tables = new { jobs = new { fields = new[] { "job_id", "title" } } } });
        using var client = gateway.CreateClient(apiKey);

        async Task<string> AnswerAsync(object query, string field)
        {
            using var response = await client.PostAsJsonAsync("/api/data/query", query);
            return await ShapeAsync(response, field);
        }

        foreach (var (hidden, unknown) in new[] { ("company", "no_such_field"), ("salary_range", "zzz") })
        {
            var absent = await AnswerAsync(new { source, table = "jobs", fields = new[] { unknown } }, unknown);
            Assert.StartsWith("400 ", absent);
            Assert.DoesNotContain("company", absent);
            Assert.Equal(absent, await AnswerAsync(new { source, table = "jobs", fields = new[] { hidden } }, hidden));
            Assert.Equal(
                await AnswerAsync(new { source, table = "jobs", filters = new[] { new { field = unknown, op = "eq", value = "x" } } }, unknown),
                await AnswerAsync(new { source, table = "jobs", filters = new[] { new { field = hidden, op = "eq", value = "x" } } }, hidden));
            Assert.Equal(
                await AnswerAsync(new { source, table = "jobs", order_by = new[] { new { field = unknown } } }, unknown),
                await AnswerAsync(new { source, table = "jobs", order_by = new[] { new { field = hidden } } }, hidden));
        }
    }
}
