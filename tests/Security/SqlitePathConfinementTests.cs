using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15, item 8: an SQLite source opens files inside the SQLite directory (by default the data directory's
/// samples folder) only, never the node's own state, and a malformed path is a 400, not a 500.
/// </summary>
[Collection(DataCollection.Name)]
[Trait("Tier", "Api")]
public sealed class SqlitePathConfinementTests(DataGateway gateway) : IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string NewName() => $"p_{Guid.NewGuid():N}"[..16];

    private async Task RefusedAsync(string path)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/datasources", new { name = NewName(), type = "sqlite", config = new { path } });
        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("config.path", body.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Paths_outside_the_sqlite_directory_and_the_nodes_own_files_are_refused()
    {
        foreach (var path in new[]
        {
            "../../etc/passwd", "/etc/passwd", "grains.db", "audit.db", "./grains.db", "samples/../grains.db", "samples/../../grains.db",
            Path.Combine(gateway.DataDirectory, "audit.db"), "keys/key.xml", "samples/jobs.db\u0000x", "samples/jobs.db\nx",
        })
        {
            await RefusedAsync(path);
        }
    }

    [Fact]
    public async Task A_symbolic_link_inside_the_sqlite_directory_cannot_lead_out_of_it()
    {
        var link = Path.Combine(gateway.DataDirectory, "samples", $"link-{Guid.NewGuid():N}.db");
        File.CreateSymbolicLink(link, Path.Combine(gateway.DataDirectory, "grains.db"));
        var folder = Path.Combine(gateway.DataDirectory, "samples", $"dir-{Guid.NewGuid():N}");
        Directory.CreateSymbolicLink(folder, gateway.DataDirectory);
        try
        {
            await RefusedAsync(Path.GetRelativePath(gateway.DataDirectory, link));
            await RefusedAsync(Path.Combine(Path.GetRelativePath(gateway.DataDirectory, folder), "grains.db"));
        }
        finally
        {
            File.Delete(link);
            Directory.Delete(folder);
        }
    }

    [Fact]
    public async Task Sample_paths_are_accepted_and_a_patch_cannot_move_a_source_out()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = NewName();
        using (var created = await admin.PostAsJsonAsync("/api/datasources", new { name, type = "sqlite", config = new { path = "samples/jobs.db" } }))
        {
            Assert.Equal("active", (await created.AssertOkAsync(HttpStatusCode.Created)).GetProperty("status").GetString());
        }
        using (var absolute = await admin.PostAsJsonAsync("/api/datasources", new { name = NewName(), type = "sqlite", config = new { path = gateway.HomebuildersFile } }))
        {
            await absolute.AssertOkAsync(HttpStatusCode.Created);
        }
        using (var patched = await admin.PatchAsJsonAsync($"/api/datasources/{name}", new { config = new { path = "grains.db" } }))
        {
            var body = await patched.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal("config.path", body.GetProperty("field").GetString());
        }
        using var query = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "jobs", limit = 1 });
        await query.AssertOkAsync();
    }
}
