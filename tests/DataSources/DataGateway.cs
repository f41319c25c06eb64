using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// A gateway of its own for the data-source tests (their grants and quotas must not meet other tests), with fast
/// health and flush loops. Its sample databases are read directly to check answers against.
/// </summary>
public class DataGateway : GatewayFactory
{
    private bool _ready;

    public DataGateway()
        : this(null)
    {
    }

    /// <summary>With further settings (e.g. a Redis second level for the cache).</summary>
    internal DataGateway(IDictionary<string, string?>? settings)
        : base(Settings(settings))
    {
    }

    private static Dictionary<string, string?> Settings(IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataSources:HealthCheckInterval"] = "00:00:01",
            ["DataSources:UsageFlushInterval"] = "00:00:01",
            ["DataSources:QueryTimeout"] = "00:00:05",
            ["DataSources:MaxSqlRows"] = "50",
            ["Gateway:MaxRequestBodyBytes"] = "65536",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return settings;
    }

    public string JobsFile => Path.Combine(DataDirectory, "samples", "jobs.db");

    public string HomebuildersFile => Path.Combine(DataDirectory, "samples", "homebuilders.db");

    /// <summary>Waits until the sample sources are registered (they are, right after the silo starts).</summary>
    public async Task EnsureSamplesAsync()
    {
        if (_ready)
        {
            return;
        }
        using var admin = CreateClient(AdminKey);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/datasources");
            var names = list.GetProperty("data_sources").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToArray();
            if (names.Contains("jobs_db") && names.Contains("homebuilders_db"))
            {
                _ready = true;
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The sample data sources were not registered within 60 s.");
    }

    public async Task<JsonElement> QueryOkAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/data/query", body);
        return await response.AssertOkAsync();
    }

    /// <summary>
    /// A source of its own on the jobs sample (named <paramref name="prefix"/> and a random part), so a test's grants,
    /// masks and quotas never meet another's; registered active.
    /// </summary>
    public async Task<string> PrivateJobsSourceAsync(string prefix, string access = "none", object? masks = null, object? quotas = null, int cacheTtl = 60)
    {
        var name = $"{prefix}{Guid.NewGuid():N}"[..20];
        using var admin = CreateClient(AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name, type = "sqlite", config = new { path = JobsFile }, default_access = access,
            masks = masks ?? new Dictionary<string, string>(), quotas, cache_ttl_seconds = cacheTtl,
        });
        var body = await response.AssertOkAsync(System.Net.HttpStatusCode.Created);
        Assert.Equal("active", body.GetProperty("status").GetString());
        return name;
    }

    public async Task GrantAsync(string source, string subject, object grant)
    {
        using var admin = CreateClient(AdminKey);
        using var response = await admin.PutAsJsonAsync($"/api/datasources/{source}/grants/{subject}", grant);
        await response.AssertOkAsync();
    }

    /// <summary>Runs SQL straight on a sample file (read-only), for the expected answers.</summary>
    public static List<object?[]> ReadDirect(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    public static IEnumerable<JsonElement> Rows(JsonElement answer) => answer.GetProperty("rows").EnumerateArray();
}

/// <summary>
/// One gateway with the sample sources for the test classes that only add sources, keys and grants of their own names
/// and assert nothing about totals: one boot instead of one per class. Classes that count a sample source's reads or
/// need it to themselves keep an <c>IClassFixture&lt;DataGateway&gt;</c>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DataCollection : ICollectionFixture<DataGateway>
{
    public const string Name = "data";
}
