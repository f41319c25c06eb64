using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Audit;
using Mcp.Cluster.Tests.Infrastructure;
using Npgsql;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>The PostgreSQL connector against a real server: discovery, types, governance, read-only raw SQL, timeouts, health.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class PostgresDataSourceTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly DataGateway _gateway = new(new Dictionary<string, string?> { ["DataSources:QueryTimeout"] = "00:00:02" });
    private string _database = "";
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("hr", applySchema: false);
        _database = new NpgsqlConnectionStringBuilder(_connectionString).Database!;
        await PostgresServer.ExecuteAsync(_connectionString, $"""
            CREATE ROLE {Reader} LOGIN PASSWORD 's3cret-reader';
            CREATE SCHEMA hr;
            CREATE TABLE hr.employees (
                employee_id bigint PRIMARY KEY,
                external_id uuid NOT NULL,
                full_name   text NOT NULL,
                email       text NOT NULL,
                department  varchar(40) NOT NULL,
                salary      numeric(10, 2) NOT NULL,
                active      boolean NOT NULL,
                hired_on    date NOT NULL,
                updated_at  timestamptz NOT NULL,
                profile     jsonb,
                skills      text[]
            );
            INSERT INTO hr.employees
            SELECT i, ('00000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid, 'Person ' || i, 'person' || i || '@corp.example',
                   (ARRAY['eng', 'sales', 'ops'])[1 + i % 3], 50000 + i * 1000.5, i % 4 <> 0, DATE '2020-01-01' + i * 30,
                   TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '1 hour', jsonb_build_object('level', i % 5), ARRAY['sql', 'c#']
            FROM generate_series(1, 60) AS i;
            CREATE VIEW hr.departments AS SELECT department, count(*) AS headcount FROM hr.employees GROUP BY department;
            GRANT USAGE ON SCHEMA hr TO {Reader};
            GRANT SELECT ON ALL TABLES IN SCHEMA hr TO {Reader};
            """);
        await _gateway.EnsureSamplesAsync();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>Roles are server-wide; each test's database gets its own reader.</summary>
    private string Reader => "reader_" + _database;

    private object Registration(string name, string? database = null) => new
    {
        name,
        type = "postgres",
        description = "HR database",
        config = new { host = "127.0.0.1", port = postgres.Port, database = database ?? _database, username = Reader, password = "s3cret-reader", schemas = new[] { "hr" } },
        default_access = "none",
        masks = new Dictionary<string, string> { ["employees.email"] = "partial", ["employees.salary"] = "redact" },
    };

    [Fact]
    public async Task A_postgres_source_is_discovered_typed_queried_and_governed()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var name = $"hr_{Guid.NewGuid():N}"[..12];
        using (var created = await admin.PostAsJsonAsync("/api/datasources", Registration(name)))
        {
            var body = await created.AssertOkAsync(HttpStatusCode.Created);
            Assert.Equal("active", body.GetProperty("status").GetString());
            Assert.Equal(2, body.GetProperty("table_count").GetInt32());
            // The password is stored encrypted and never returned.
            Assert.Equal("********", body.GetProperty("config").GetProperty("password").GetString());
            Assert.DoesNotContain("s3cret", body.GetRawText());
        }
        var schema = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{name}/schema");
        Assert.Equal(["departments", "employees"], schema.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var types = schema.GetProperty("tables")[1].GetProperty("columns").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());
        Assert.Equal("integer", types["employee_id"]);
        Assert.Equal("text", types["external_id"]);
        Assert.Equal("decimal", types["salary"]);
        Assert.Equal("boolean", types["active"]);
        Assert.Equal("date", types["hired_on"]);
        Assert.Equal("datetime", types["updated_at"]);
        Assert.Equal("json", types["profile"]);
        Assert.Equal("array", types["skills"]);

        var answer = await _gateway.QueryOkAsync(admin, new
        {
            source = name, table = "employees",
            filters = new object[]
            {
                new { field = "department", op = "eq", value = "eng" },
                new { field = "active", op = "eq", value = true },
                new { field = "hired_on", op = "gte", value = "2021-01-01" },
                new { field = "updated_at", op = "lt", value = "2026-01-02T10:00:00+02:00" },
                new { field = "external_id", op = "ne", value = "00000000-0000-0000-0000-000000000009" },
                new { field = "full_name", op = "starts_with", value = "person 1" },
            },
            order_by = "-employee_id",
        });
        var ids = DataGateway.Rows(answer).Select(r => r.GetProperty("employee_id").GetInt64()).ToArray();
        // eng: i % 3 == 0; active: i % 4 != 0; hired from 2021: i >= 13; before 08:00 UTC on Jan 2: i < 32; name starts "Person 1".
        Assert.Equal([18, 15], ids);
        var row = DataGateway.Rows(answer).First();
        Assert.Equal(68009.0m, row.GetProperty("salary").GetDecimal());
        Assert.Equal("00000000-0000-0000-0000-000000000018", row.GetProperty("external_id").GetString());
        Assert.Equal(3, row.GetProperty("profile").GetProperty("level").GetInt32());
        Assert.Equal(["sql", "c#"], row.GetProperty("skills").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("2021-06-24", row.GetProperty("hired_on").GetString());

        // A value PostgreSQL cannot read as the column's type is the caller's mistake: 400, not 500.
        using (var bad = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "employees", filters = new { external_id = "not-a-uuid" } }))
        {
            await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }

        // Governed like any source: masks for a granted key, nothing for others.
        var (keyId, apiKey) = await _gateway.CreateKeyAsync(new { owner = "hr-analyst", permissions = new[] { "read" } });
        using var analyst = _gateway.CreateClient(apiKey);
        using (var denied = await analyst.PostAsJsonAsync("/api/data/query", new { source = name, table = "employees" }))
        {
            await denied.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        await _gateway.GrantAsync(name, keyId, new { tables = new { employees = new { fields = new[] { "employee_id", "email", "salary" } } } });
        var masked = DataGateway.Rows(await _gateway.QueryOkAsync(analyst, new { source = name, table = "employees", order_by = "employee_id", limit = 1 })).Single();
        Assert.Equal("p******@corp.example", masked.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, masked.GetProperty("salary").ValueKind);
        using (var view = await analyst.PostAsJsonAsync("/api/data/query", new { source = name, table = "departments" }))
        {
            await view.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task Raw_sql_runs_read_only_with_the_statement_timeout()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var name = $"hr_{Guid.NewGuid():N}"[..12];
        using (var created = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name, type = "postgres",
            config = new { host = "127.0.0.1", port = postgres.Port, database = _database, username = "postgres", schemas = new[] { "hr" } },
        }))
        {
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        using (var ok = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql = "SELECT department, count(*) AS n FROM hr.employees GROUP BY 1 ORDER BY 1" }))
        {
            var body = await ok.AssertOkAsync();
            Assert.Equal(["eng", "ops", "sales"], DataGateway.Rows(body).Select(r => r.GetProperty("department").GetString()));
            Assert.Equal(60, DataGateway.Rows(body).Sum(r => r.GetProperty("n").GetInt64()));
        }
        // Even connected as the superuser, the transaction is read-only.
        foreach (var sql in new[] { "DELETE FROM hr.employees", "UPDATE hr.employees SET salary = 0", "CREATE TABLE hr.pwned (x int)", "SELECT nextval('x')" })
        {
            using var refused = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql });
            await refused.AssertErrorAsync(HttpStatusCode.BadRequest, "sql_error");
        }
        foreach (var sql in new[] { "SELECT 1; COMMIT; DELETE FROM hr.employees", "SELECT $$;$$; DELETE FROM hr.employees", "SELECT 1 /* /* ; */ */; DROP SCHEMA hr CASCADE" })
        {
            using var refused = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql });
            await refused.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var literal = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql = "SELECT $tag$a;b$tag$ AS x, E'it\\'s;' AS y" }))
        {
            var row = DataGateway.Rows(await literal.AssertOkAsync()).Single();
            Assert.Equal("a;b", row.GetProperty("x").GetString());
            Assert.Equal("it's;", row.GetProperty("y").GetString());
        }
        Assert.Equal(60L, await PostgresServer.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM hr.employees"));

        // The statement timeout (2 s here) cancels a long statement on the server.
        var started = DateTime.UtcNow;
        using (var slow = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql = "SELECT pg_sleep(30)" }))
        {
            await slow.AssertErrorAsync(HttpStatusCode.GatewayTimeout, "query_timeout");
        }
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
        var active = await PostgresServer.ScalarAsync<long>(postgres.AdminConnectionString,
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'");
        Assert.Equal(0L, active);
    }

    [Fact]
    public async Task Bad_configs_are_refused_and_an_unreachable_source_is_in_error_until_it_is_fixed()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        async Task Refused(object body, string field)
        {
            using var response = await admin.PostAsJsonAsync("/api/datasources", body);
            var problem = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }
        await Refused(new { name = "Bad-Name", type = "postgres", config = new { } }, "name");
        await Refused(new { name = "x_db", type = "oracle", config = new { } }, "type");
        await Refused(new { name = "x_db", type = "postgres", config = new { host = "h", database = "d" } }, "config.username");
        await Refused(new { name = "x_db", type = "postgres", config = new { host = "h", database = "d", username = "u", hots = "typo" } }, "config.hots");
        await Refused(new { name = "x_db", type = "postgres", config = new { host = "h", database = "d", username = "u", port = 70000 } }, "config.port");
        await Refused(new { name = "x_db", type = "postgres", config = new { host = "h", database = "d", username = "u", password = "${HOME}" } }, "config.password");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = "samples/x.db" }, masks = new Dictionary<string, string> { ["email"] = "hash" } }, "masks");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = "samples/x.db" }, masks = new Dictionary<string, string> { ["t.email"] = "scramble" } }, "masks");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = "samples/x.db" }, cache_ttl_seconds = -1 }, "cache_ttl_seconds");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = "samples/x.db" }, quotas = new { queries_per_day = 0 } }, "quotas");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = "samples/x.db" }, description = new string('d', 2001) }, "description");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = new string('p', 17 * 1024) } }, "config");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = "samples/x.db" },
            masks = Enumerable.Range(0, 501).ToDictionary(i => $"t.f{i}", _ => "hash") }, "masks");
        await Refused(new { name = "x_db", type = "sqlite", config = new { path = "samples/x.db" }, refresh_interval_seconds = 5 }, "refresh_interval_seconds");
        using (var duplicate = await admin.PostAsJsonAsync("/api/datasources", new { name = "jobs_db", type = "sqlite", config = new { path = "samples/x.db" } }))
        {
            await duplicate.AssertErrorAsync(HttpStatusCode.Conflict, "conflict");
        }

        // Registered pointing at a database that is not there: kept, in error, and queries get 503; fixing the config brings it back.
        var name = $"hr_{Guid.NewGuid():N}"[..12];
        using (var created = await admin.PostAsJsonAsync("/api/datasources", Registration(name, database: "no_such_database")))
        {
            Assert.Equal("error", (await created.AssertOkAsync(HttpStatusCode.Created)).GetProperty("status").GetString());
        }
        using (var down = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "employees" }))
        {
            await down.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "data_source_unavailable");
        }
        var status = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{name}/status");
        Assert.Equal("error", status.GetProperty("status").GetString());
        Assert.Contains("no_such_database", status.GetProperty("last_error").GetString());
        using (var fixedConfig = await admin.PatchAsJsonAsync($"/api/datasources/{name}", new { config = new { database = _database } }))
        {
            Assert.Equal("active", (await fixedConfig.AssertOkAsync()).GetProperty("status").GetString());
        }
        Assert.Equal(5, (await _gateway.QueryOkAsync(admin, new { source = name, table = "employees", limit = 5 })).GetProperty("row_count").GetInt32());

        // Disabled: refused with 503; enabled again: served. Deleted: gone.
        using (var disabled = await admin.PatchAsJsonAsync($"/api/datasources/{name}", new { disabled = true }))
        {
            Assert.Equal("disabled", (await disabled.AssertOkAsync()).GetProperty("status").GetString());
        }
        using (var refused = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "employees" }))
        {
            await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "data_source_unavailable");
        }
        using (var patchError = await admin.PatchAsJsonAsync($"/api/datasources/{name}", new { type = "sqlite" }))
        {
            await patchError.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var enabled = await admin.PatchAsJsonAsync($"/api/datasources/{name}", new { disabled = false }))
        {
            await enabled.AssertOkAsync();
        }
        await _gateway.QueryOkAsync(admin, new { source = name, table = "employees", limit = 1 });
        using (var deleted = await admin.DeleteAsync($"/api/datasources/{name}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var gone = await admin.GetAsync($"/api/datasources/{name}"))
        {
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var notAdmin = _gateway.CreateClient((await _gateway.CreateKeyAsync(new { owner = "w", permissions = new[] { "read", "write" } })).ApiKey))
        using (var forbidden = await notAdmin.PostAsJsonAsync("/api/datasources", Registration("nope_db")))
        {
            await forbidden.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Fact]
    public async Task The_audit_store_keeps_entries_in_the_cluster_database()
    {
        var connectionString = await postgres.CreateDatabaseAsync("audit");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = SqlAuditStore.Postgres(dataSource);
        var now = DateTimeOffset.UtcNow;
        await store.AppendAsync([
            new AuditEntry(0, now.AddMinutes(-2), "key_a", "alice", null, "jobs_db", "jobs", ["title"], "query", AuditDecision.Allowed, null, 12, 3.5, false, null),
            new AuditEntry(0, now.AddMinutes(-1), "key_b", "bob", "mod_x", "jobs_db", null, [], "sql", AuditDecision.Denied, "no grant", 0, 0.2, false, "SELECT 1"),
        ], default);
        var all = await store.QueryAsync(new AuditQuery(null, null, null, null, null, null, null, 10), default);
        Assert.Equal(["key_b", "key_a"], all.Select(e => e.KeyId));
        Assert.Equal("SELECT 1", all[0].Statement);
        Assert.Equal(["title"], all[1].Fields);
        Assert.Equal(now.AddMinutes(-2).ToUnixTimeMilliseconds(), all[1].Timestamp.ToUnixTimeMilliseconds());
        var denied = await store.QueryAsync(new AuditQuery("jobs_db", null, "mod_x", AuditDecision.Denied, now.AddMinutes(-5), now, null, 10), default);
        Assert.Equal("no grant", Assert.Single(denied).Reason);
        Assert.Empty(await store.QueryAsync(new AuditQuery(null, null, null, null, null, null, all[1].Id, 10), default));

        // A large batch goes in as several multi-row statements of one transaction.
        await store.AppendAsync(Enumerable.Range(0, 250).Select(i => new AuditEntry(0, now, $"key_{i}", "bulk", null, "bulk_db", "t", ["f"], "query",
            AuditDecision.Allowed, null, i, 1, i % 2 == 0, null)).ToArray(), default);
        var bulk = await store.QueryAsync(new AuditQuery("bulk_db", null, null, null, null, null, null, 1000), default);
        Assert.Equal(250, bulk.Count);
        Assert.Equal(Enumerable.Range(0, 250).Reverse(), bulk.Select(e => e.RowCount));
    }
}
