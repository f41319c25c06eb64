using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// A node restarted on a data folder an earlier version made: its jobs sample (version 1, with the schema the
/// registered source remembers) is moved aside and made again in the guide's schema, the sample source rediscovers
/// it, and a source a user registered keeps working.
/// </summary>
[Trait("Tier", "Api")]
public sealed class SampleUpgradeRestartTests
{
    [Fact]
    public async Task A_node_on_an_earlier_data_folder_upgrades_its_samples_and_keeps_user_sources()
    {
        using var data = new TempDirectory();
        var samples = Path.Combine(data.Path, "samples");
        await using (var first = new GatewayFactory(null, data.Path))
        {
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            await SchemaTypesAsync(admin, "jobs_db", "salary_range", _ => true);

            // What an earlier version left behind: its jobs sample, and jobs_db's schema discovered from it. Rewritten in
            // place (the source's pooled connections keep a replaced file open).
            Execute(Path.Combine(samples, "jobs.db"), """
                PRAGMA user_version = 0;
                DROP TABLE jobs;
                CREATE TABLE jobs (job_id INTEGER PRIMARY KEY, title TEXT NOT NULL, company TEXT NOT NULL, location TEXT NOT NULL,
                    salary_range TEXT, requirements TEXT NOT NULL, posted_date DATE NOT NULL);
                INSERT INTO jobs VALUES (1, 'Data Engineer', 'Globex', 'Austin, TX', '$90k-$110k', '3+ years of experience; SQL', '2026-01-05');
                """);
            using (var refreshed = await admin.PostAsync("/api/datasources/jobs_db/refresh", null))
            {
                await refreshed.AssertOkAsync();
            }
            Assert.Equal("text", await SchemaTypesAsync(admin, "jobs_db", "salary_range", _ => true));

            // And a source of the user's own, on a file of theirs beside the samples.
            Execute(Path.Combine(samples, "crm.db"), "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'Initech');");
            using var created = await admin.PostAsJsonAsync("/api/datasources", new { name = "crm_db", type = "sqlite", config = new { path = "samples/crm.db" } });
            await created.AssertOkAsync(HttpStatusCode.Created);
        }

        await using var second = new GatewayFactory(null, data.Path);
        using var client = second.CreateClient(GatewayFactory.AdminKey);
        // The sample source is refreshed once the silo is up: the guide's types, then the guide's query answers.
        Assert.Equal("object", await SchemaTypesAsync(client, "jobs_db", "salary_range", type => type == "object"));
        using (var guide = await client.PostAsJsonAsync("/api/data/query",
            new { source = "jobs_db", query = new { title = "Software Engineer", location = "Austin, TX", posted_date = "last_6m" } }))
        {
            Assert.True((await guide.AssertOkAsync()).GetProperty("row_count").GetInt32() > 0);
        }
        // Nothing lost: the earlier sample is kept beside the new one, the user's source answers as before.
        Assert.Equal("$90k-$110k", DataGateway.ReadDirect(Path.Combine(samples, "jobs.v1.db"), "SELECT salary_range FROM jobs").Single()[0]);
        var crm = await client.PostAsJsonAsync("/api/data/query", new { source = "crm_db", query = new { name = "Initech" } });
        Assert.Equal(1, DataGateway.Rows(await crm.AssertOkAsync()).Single().GetProperty("id").GetInt32());
    }

    /// <summary>The type the schema reports for a field, once <paramref name="ready"/> accepts it (within 60 s).</summary>
    private static async Task<string> SchemaTypesAsync(HttpClient admin, string source, string field, Func<string, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await admin.GetAsync($"/api/datasources/{source}/schema");
            if (response.IsSuccessStatusCode)
            {
                var schema = await response.Content.ReadFromJsonAsync<JsonElement>();
                last = schema.GetProperty("tables")[0].GetProperty("columns").EnumerateArray()
                    .Single(c => c.GetProperty("name").GetString() == field).GetProperty("type").GetString();
                if (ready(last!))
                {
                    return last!;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{source}.{field} did not reach the expected type within 60 s (last: {last ?? "no schema"}).");
    }

    private static void Execute(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
