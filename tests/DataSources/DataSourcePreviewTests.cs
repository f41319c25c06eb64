using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// <c>GET /api/datasources/{name}/preview</c>: an admin sees what a key would see, decided by the governance of the
/// key's own reads, audited as the admin's preview and never charged to the key.
/// </summary>
[Trait("Tier", "Api")]
[Collection(DataCollection.Name)]
public sealed class DataSourcePreviewTests(DataGateway gateway) : IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(string KeyId, string ApiKey)> NewKeyAsync(string owner, params string[] permissions) =>
        gateway.CreateKeyAsync(new { owner, permissions = permissions.Length == 0 ? new[] { "read" } : permissions });

    private async Task<JsonElement> PreviewOkAsync(string source, string keyId, string query = "")
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.GetAsync($"/api/datasources/{source}/preview?key_id={keyId}{query}");
        return await response.AssertOkAsync();
    }

    /// <summary>A private jobs source (no cache, so both reads really run) and a key granted some fields, a mask and a row filter.</summary>
    private async Task<(string Source, string KeyId, string ApiKey)> GrantedAsync(string owner, object? quotas = null)
    {
        var source = await gateway.PrivateJobsSourceAsync("prev_", cacheTtl: 0);
        var (keyId, apiKey) = await NewKeyAsync(owner);
        await gateway.GrantAsync(source, keyId, new
        {
            tables = new
            {
                jobs = new
                {
                    fields = new[] { "job_id", "title", "company", "location" },
                    masks = new Dictionary<string, string> { ["company"] = "hash" },
                    row_filters = new[] { new { field = "location", op = "eq", value = "Austin, TX" } },
                },
            },
            quotas,
        });
        return (source, keyId, apiKey);
    }

    [Fact]
    public async Task The_preview_shows_exactly_the_rows_columns_and_masks_the_keys_own_query_returns()
    {
        var (source, keyId, apiKey) = await GrantedAsync("previewed");
        var preview = await PreviewOkAsync(source, keyId, "&table=jobs&limit=7");

        Assert.Equal(source, preview.GetProperty("source").GetString());
        Assert.Equal(keyId, preview.GetProperty("key_id").GetString());
        Assert.Equal("previewed", preview.GetProperty("owner").GetString());
        Assert.True(preview.GetProperty("readable").GetBoolean());
        Assert.Equal("key", preview.GetProperty("basis").GetString());
        var table = Assert.Single(preview.GetProperty("tables").EnumerateArray());
        Assert.Equal("jobs", table.GetProperty("table").GetString());
        Assert.True(table.GetProperty("readable").GetBoolean());

        // Every column of the table is listed: the hidden ones as not visible, so the admin sees what is withheld.
        var columns = table.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(
            DataGateway.ReadDirect(gateway.JobsFile, "SELECT name FROM pragma_table_info('jobs')").Select(r => (string)r[0]!).Order(),
            columns.Keys.Order());
        Assert.Equal(["job_id", "title", "company", "location"], columns.Values.Where(c => c.GetProperty("visible").GetBoolean()).Select(c => c.GetProperty("name").GetString()));
        Assert.False(columns["salary_range"].GetProperty("visible").GetBoolean());
        Assert.True(columns["company"].GetProperty("masked").GetBoolean());
        Assert.Equal("hash", columns["company"].GetProperty("mask").GetString());
        Assert.False(columns["title"].GetProperty("masked").GetBoolean());
        Assert.False(columns["title"].TryGetProperty("mask", out _));

        var filter = Assert.Single(table.GetProperty("row_filters").EnumerateArray());
        Assert.Equal("location", filter.GetProperty("field").GetString());
        Assert.Equal("eq", filter.GetProperty("op").GetString());
        Assert.Equal("Austin, TX", filter.GetProperty("value").GetString());
        Assert.Equal("location eq \"Austin, TX\"", table.GetProperty("row_filter").GetString());

        // The rows are the key's own: the same query, answered to the key, gives the same JSON row for row.
        using var client = gateway.CreateClient(apiKey);
        var own = await gateway.QueryOkAsync(client, new { source, table = "jobs", limit = 7 });
        var previewRows = DataGateway.Rows(table).Select(r => r.GetRawText()).ToArray();
        Assert.Equal(DataGateway.Rows(own).Select(r => r.GetRawText()), previewRows);
        Assert.Equal(previewRows.Length, table.GetProperty("row_count").GetInt32());
        Assert.InRange(previewRows.Length, 1, 7);
        foreach (var row in DataGateway.Rows(table))
        {
            Assert.Equal(["job_id", "title", "company", "location"], row.EnumerateObject().Select(p => p.Name));
            Assert.Matches("^h_[0-9a-f]{32}$", row.GetProperty("company").GetString());
            Assert.Equal("Austin, TX", row.GetProperty("location").GetString());
        }

        // Without a table every table is previewed; the default is 5 rows.
        var all = await PreviewOkAsync(source, keyId);
        var only = Assert.Single(all.GetProperty("tables").EnumerateArray());
        Assert.Equal(previewRows.Take(5), DataGateway.Rows(only).Select(r => r.GetRawText()));
        Assert.False(all.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task A_preview_of_a_source_with_default_access_lists_every_table_with_the_source_wide_masks()
    {
        var (keyId, apiKey) = await NewKeyAsync("sampler");
        var preview = await PreviewOkAsync("homebuilders_db", keyId, "&limit=3");
        Assert.True(preview.GetProperty("readable").GetBoolean());
        Assert.Equal("default", preview.GetProperty("basis").GetString());
        var tables = preview.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("table").GetString()!);
        Assert.Equal(["builders", "properties"], tables.Keys.Order());
        var builders = tables["builders"];
        var columns = builders.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("partial", columns["contact_email"].GetProperty("mask").GetString());
        Assert.Equal("redact", columns["phone"].GetProperty("mask").GetString());
        Assert.Equal(JsonValueKind.Null, builders.GetProperty("row_filter").ValueKind);

        using var client = gateway.CreateClient(apiKey);
        var own = await gateway.QueryOkAsync(client, new { source = "homebuilders_db", table = "builders", limit = 3 });
        Assert.Equal(DataGateway.Rows(own).Select(r => r.GetRawText()), DataGateway.Rows(builders).Select(r => r.GetRawText()));
        Assert.All(DataGateway.Rows(builders), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("phone").ValueKind));
    }

    [Fact]
    public async Task A_key_that_may_not_read_is_answered_readable_false_with_the_reason()
    {
        var source = await gateway.PrivateJobsSourceAsync("prev_");
        var (noGrant, _) = await NewKeyAsync("outsider");
        var preview = await PreviewOkAsync(source, noGrant);
        Assert.False(preview.GetProperty("readable").GetBoolean());
        Assert.Contains("no grant", preview.GetProperty("reason").GetString());
        Assert.Empty(preview.GetProperty("tables").EnumerateArray());

        // A grant does not help a key without the read permission: the source refuses it, and the preview says why.
        var (noRead, _) = await NewKeyAsync("outsider", "execute");
        await gateway.GrantAsync(source, noRead, new { });
        var refused = await PreviewOkAsync(source, noRead);
        Assert.False(refused.GetProperty("readable").GetBoolean());
        Assert.Contains("read permission", refused.GetProperty("reason").GetString());

        // A disabled source is read by nobody.
        var (granted, _) = await NewKeyAsync("outsider");
        await gateway.GrantAsync(source, granted, new { });
        using (var admin = gateway.CreateClient(GatewayFactory.AdminKey))
        using (var disable = await admin.PatchAsJsonAsync($"/api/datasources/{source}", new { disabled = true }))
        {
            await disable.AssertOkAsync();
        }
        var disabled = await PreviewOkAsync(source, granted);
        Assert.False(disabled.GetProperty("readable").GetBoolean());
        Assert.Contains("disabled", disabled.GetProperty("reason").GetString());
        using (var admin = gateway.CreateClient(GatewayFactory.AdminKey))
        using (var enable = await admin.PatchAsJsonAsync($"/api/datasources/{source}", new { disabled = false }))
        {
            await enable.AssertOkAsync();
        }

        // Revoked right before the preview (as the console does): not readable, and why.
        var (revoked, _) = await NewKeyAsync("outsider");
        await gateway.GrantAsync(source, revoked, new { });
        Assert.True((await PreviewOkAsync(source, revoked)).GetProperty("readable").GetBoolean());
        using (var admin = gateway.CreateClient(GatewayFactory.AdminKey))
        using (var revoke = await admin.DeleteAsync($"/api/keys/{revoked}"))
        {
            Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync());
        }
        var afterRevoke = await PreviewOkAsync(source, revoked);
        Assert.False(afterRevoke.GetProperty("readable").GetBoolean());
        Assert.Equal("revoked", afterRevoke.GetProperty("key_status").GetString());
        Assert.Contains("revoked", afterRevoke.GetProperty("reason").GetString());
        Assert.Empty(afterRevoke.GetProperty("tables").EnumerateArray());
    }

    [Fact]
    public async Task Only_admins_preview_and_bad_parameters_are_refused_in_the_error_shape()
    {
        var (source, keyId, apiKey) = await GrantedAsync("hostile");
        var (readOnlyId, readOnly) = await NewKeyAsync("hostile");
        var (_, writer) = await NewKeyAsync("hostile", "read", "write", "execute");
        // A key previewing another key, or itself, or a key of every other permission: admin only.
        foreach (var (secret, target) in new[] { (apiKey, keyId), (readOnly, keyId), (writer, keyId) })
        {
            using var client = gateway.CreateClient(secret);
            using var response = await client.GetAsync($"/api/datasources/{source}/preview?key_id={target}");
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var self = gateway.CreateClient(readOnly))
        using (var response = await self.GetAsync($"/api/datasources/{source}/preview?key_id={readOnlyId}&limit=1"))
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        foreach (var (query, status, error, field) in new[]
        {
            ($"/api/datasources/{source}/preview?key_id=key_doesnotexist", HttpStatusCode.NotFound, "not_found", "key_id"),
            ($"/api/datasources/no_such_source/preview?key_id={keyId}", HttpStatusCode.NotFound, "not_found", null),
            ($"/api/datasources/{source}/preview?key_id={keyId}&table=staff", HttpStatusCode.NotFound, "not_found", "table"),
            ($"/api/datasources/{source}/preview?key_id={keyId}&limit=0", HttpStatusCode.BadRequest, "validation_error", "limit"),
            ($"/api/datasources/{source}/preview?key_id={keyId}&limit=51", HttpStatusCode.BadRequest, "validation_error", "limit"),
            ($"/api/datasources/{source}/preview?key_id={keyId}&limit=abc", HttpStatusCode.BadRequest, "validation_error", "limit"),
            ($"/api/datasources/{source}/preview?key_id={keyId}&limit=-1", HttpStatusCode.BadRequest, "validation_error", "limit"),
            ($"/api/datasources/{source}/preview", HttpStatusCode.BadRequest, "validation_error", "key_id"),
            ($"/api/datasources/{source}/preview?key_id=owner:hostile", HttpStatusCode.BadRequest, "validation_error", "key_id"),
            ($"/api/datasources/{source}/preview?key_id=key_{new string('x', 300)}", HttpStatusCode.BadRequest, "validation_error", "key_id"),
        })
        {
            using var response = await admin.GetAsync(query);
            var body = await response.AssertErrorAsync(status, error);
            if (field is not null)
            {
                Assert.Equal(field, body.GetProperty("field").GetString());
            }
        }
        using (var response = await admin.GetAsync($"/api/datasources/{source}/preview?key_id={keyId}&limit=50"))
        {
            await response.AssertOkAsync();
        }
    }

    [Fact]
    public async Task A_preview_is_audited_as_the_admins_and_leaves_the_keys_quotas_and_counters_untouched()
    {
        var (source, keyId, apiKey) = await GrantedAsync("metered", quotas: new { queries_per_day = 1, rows_per_day = 100 });
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var adminKeyId = (await admin.GetFromJsonAsync<JsonElement>("/api/keys/me")).GetProperty("key_id").GetString()!;
        var keyUsageBefore = await KeyCountersAsync(admin, keyId);

        for (var i = 0; i < 3; i++)
        {
            var preview = await PreviewOkAsync(source, keyId, "&limit=4");
            Assert.True(preview.GetProperty("readable").GetBoolean());
        }

        var usage = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{source}/usage?key_id={keyId}");
        Assert.Equal(0, usage.GetProperty("queries_today").GetInt64());
        Assert.Equal(0, usage.GetProperty("rows_today").GetInt64());
        Assert.Equal(1, usage.GetProperty("queries_remaining").GetInt64());
        Assert.Equal(keyUsageBefore, await KeyCountersAsync(admin, keyId));

        // The previews are the admin's reads, marked as previews of the key; none is filed as the key's own.
        var entries = (await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={source}&key_id={adminKeyId}"))
            .GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(3, entries.Length);
        Assert.All(entries, e =>
        {
            Assert.Equal("preview", e.GetProperty("operation").GetString());
            Assert.Equal("allowed", e.GetProperty("decision").GetString());
            Assert.Equal("jobs", e.GetProperty("table").GetString());
            Assert.Contains(keyId, e.GetProperty("reason").GetString());
            Assert.Equal(["job_id", "title", "company", "location"], e.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
            Assert.InRange(e.GetProperty("row_count").GetInt32(), 1, 4);
        });
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>($"/api/audit?source={source}&key_id={keyId}")).GetProperty("entries").EnumerateArray());

        // The key's one query of the day is still there.
        using var client = gateway.CreateClient(apiKey);
        await gateway.QueryOkAsync(client, new { source, table = "jobs", limit = 4 });
        using var spent = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs", limit = 4 });
        await spent.AssertErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
    }

    /// <summary>The key grain's own counters (requests, rate window, last use), which a request made with the key would move.</summary>
    private static async Task<string> KeyCountersAsync(HttpClient admin, string keyId)
    {
        var usage = await admin.GetFromJsonAsync<JsonElement>($"/api/keys/{keyId}/usage");
        return string.Join("|", new[] { "requests_today", "requests_this_month", "total_requests", "last_used_at", "rejected_requests" }
            .Select(name => usage.GetProperty(name).GetRawText()).Append(usage.GetProperty("rate_limit").GetProperty("remaining").GetRawText()));
    }
}
