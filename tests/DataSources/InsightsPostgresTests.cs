using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Npgsql;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// Index discovery on a real PostgreSQL: key columns leading first, partial and expression indexes not counted as
/// serving a column, and the advice that follows; a refresh that finds the same indexes keeps the schema generation.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class InsightsPostgresTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly DataGateway _gateway = new();
    private string _connectionString = "";
    private string _database = "";

    private string Reader => "insights_" + _database;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("ins", applySchema: false);
        _database = new NpgsqlConnectionStringBuilder(_connectionString).Database!;
        await PostgresServer.ExecuteAsync(_connectionString, $"""
            CREATE ROLE {Reader} LOGIN PASSWORD 's3cret-insights';
            CREATE SCHEMA hr;
            CREATE TABLE hr.staff (
                staff_id   bigint PRIMARY KEY,
                email      text NOT NULL,
                department text NOT NULL,
                salary     numeric(10, 2) NOT NULL,
                note       text
            );
            INSERT INTO hr.staff SELECT i, 'p' || i || '@corp.example', (ARRAY['eng', 'ops'])[1 + i % 2], 1000 * i, NULL FROM generate_series(1, 30) AS i;
            CREATE INDEX staff_department_salary ON hr.staff (department, salary) INCLUDE (note);
            CREATE INDEX staff_email_lower ON hr.staff (lower(email));
            CREATE INDEX staff_email_partial ON hr.staff (email) WHERE note IS NOT NULL;
            CREATE VIEW hr.by_department AS SELECT department, count(*) AS n FROM hr.staff GROUP BY department;
            GRANT USAGE ON SCHEMA hr TO {Reader};
            GRANT SELECT ON ALL TABLES IN SCHEMA hr TO {Reader};
            """);
        await _gateway.EnsureSamplesAsync();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Indexes_are_discovered_and_a_filter_no_index_leads_with_is_told_its_create_index()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var name = $"ins_{Guid.NewGuid():N}"[..12];
        using (var created = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name, type = "postgres",
            config = new { host = "127.0.0.1", port = postgres.Port, database = _database, username = Reader, password = "s3cret-insights", schemas = new[] { "hr" } },
        }))
        {
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        foreach (var filter in new object[] { new { department = "eng" }, new { salary = 5000 }, new { email = "p3@corp.example" }, new { staff_id = 3 } })
        {
            await _gateway.QueryOkAsync(admin, new { source = name, table = "staff", filters = filter, limit = 5 });
        }
        await _gateway.QueryOkAsync(admin, new { source = name, table = "by_department", filters = new { department = "ops" } });

        var insights = await InsightsApiTests.InsightsWhenAsync(admin, name, b => b.GetProperty("queries").GetInt64() >= 5);
        var staff = insights.GetProperty("shapes").EnumerateArray().Where(s => s.GetProperty("table").GetString() == "staff").ToArray();
        JsonElement Staff(string filters) => staff.Single(s => InsightsApiTests.Filters(s) == filters);

        // department leads an index; the primary key is an index; salary is only its second column.
        Assert.Empty(Staff("department:eq").GetProperty("suggestions").EnumerateArray());
        Assert.Empty(Staff("staff_id:eq").GetProperty("suggestions").EnumerateArray());
        var salary = Assert.Single(Staff("salary:eq").GetProperty("suggestions").EnumerateArray());
        Assert.Equal("missing_index", salary.GetProperty("kind").GetString());
        Assert.Contains("CREATE INDEX \"ix_staff_salary\" ON \"hr\".\"staff\" (\"salary\");", salary.GetProperty("detail").GetString());
        // An index on lower(email), or one on email for some rows only, does not serve email = ….
        Assert.Equal("missing_index", Assert.Single(Staff("email:eq").GetProperty("suggestions").EnumerateArray()).GetProperty("kind").GetString());
        Assert.True(Staff("email:eq").GetProperty("index_information").GetBoolean());

        // A view has no indexes of its own: no index information, no index advice.
        var view = insights.GetProperty("shapes").EnumerateArray().Single(s => s.GetProperty("table").GetString() == "by_department");
        Assert.False(view.GetProperty("index_information").GetBoolean());
        Assert.Empty(view.GetProperty("suggestions").EnumerateArray());

        // The same indexes found again keep the generation (cached results stay valid); a new one starts a new generation.
        // (A refresh asked for starts one anyway, to drop every cached result: a changed schema adds one more.)
        var generation = await GenerationAsync(admin, name);
        await RefreshAsync(admin, name);
        var unchanged = await GenerationAsync(admin, name);
        await PostgresServer.ExecuteAsync(_connectionString, "CREATE INDEX staff_salary ON hr.staff (salary)");
        await RefreshAsync(admin, name);
        var changed = await GenerationAsync(admin, name);
        Assert.Equal((generation + 1, unchanged + 2), (unchanged, changed));
        using var after = await admin.GetAsync($"/api/datasources/{name}/insights");
        var shapes = (await after.AssertOkAsync()).GetProperty("shapes").EnumerateArray();
        Assert.Empty(shapes.Single(s => s.GetProperty("table").GetString() == "staff" && InsightsApiTests.Filters(s) == "salary:eq").GetProperty("suggestions").EnumerateArray());
    }

    private static async Task RefreshAsync(HttpClient admin, string name)
    {
        using var refreshed = await admin.PostAsync($"/api/datasources/{name}/refresh", null);
        await refreshed.AssertOkAsync();
    }

    private static async Task<long> GenerationAsync(HttpClient admin, string name) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{name}/schema")).GetProperty("generation").GetInt64();
}
