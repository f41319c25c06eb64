using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>A gateway whose previews read one table at most (<c>DataSources:MaxPreviewTables</c>).</summary>
public sealed class OneTablePreviewGateway() : DataGateway(new Dictionary<string, string?> { ["DataSources:MaxPreviewTables"] = "1" });

/// <summary>The bounds of <c>GET /api/datasources/{name}/preview</c> that the shared gateway's defaults never reach.</summary>
[Trait("Tier", "Api")]
public sealed class DataSourcePreviewLimitTests(OneTablePreviewGateway gateway) : IClassFixture<OneTablePreviewGateway>, IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_preview_of_more_tables_than_allowed_reads_the_first_ones_and_says_it_was_cut()
    {
        var (keyId, _) = await gateway.CreateKeyAsync(new { owner = "wide", permissions = new[] { "read" } });
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var preview = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/homebuilders_db/preview?key_id={keyId}");
        Assert.True(preview.GetProperty("truncated").GetBoolean());
        Assert.Single(preview.GetProperty("tables").EnumerateArray());

        // Naming a table previews that one, whatever its place.
        var named = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/homebuilders_db/preview?key_id={keyId}&table=properties");
        Assert.False(named.GetProperty("truncated").GetBoolean());
        Assert.Equal("properties", Assert.Single(named.GetProperty("tables").EnumerateArray()).GetProperty("table").GetString());
    }

    [Fact]
    public async Task The_executor_refuses_a_preview_on_behalf_of_a_key_that_is_not_an_admin()
    {
        // The gateway only lets admins in; the executor does not rely on it.
        var executor = gateway.Services.GetRequiredService<IGrainFactory>().GetGrain<IDataSourceExecutorGrain>("jobs_db");
        var key = new DataCaller("key_someone", "someone", IsAdmin: false, Permissions: Permissions.Read);
        var refused = await executor.PreviewAsync(key, key, null, 5);
        Assert.Equal(DataQueryOutcome.Forbidden, refused.Outcome);
        Assert.Null(refused.Tables);

        var admin = new DataCaller("key_admin", "ops", IsAdmin: true, Permissions: Permissions.Admin);
        Assert.Equal(DataQueryOutcome.Invalid, (await executor.PreviewAsync(key, admin, null, DataPreview.MaxRows + 1)).Outcome);
        Assert.Equal(DataQueryOutcome.Invalid, (await executor.PreviewAsync(key, admin, null, 0)).Outcome);
        var allowed = await executor.PreviewAsync(key, admin, null, 2);
        Assert.Equal(DataQueryOutcome.Ok, allowed.Outcome);
        Assert.True(allowed.Readable);
    }
}
