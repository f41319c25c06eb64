using System.Data.Common;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Query;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Mcp.Cluster.Tests.DataSources.SqlQueryCompilerTests;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// Compiled queries run on the real engines (SQLite and PostgreSQL): the rows that come back are the ones asked for,
/// and a hostile value stored in the data is matched as text and leaves the table intact.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class CompiledQueryExecutionTests(PostgresServer postgres)
{
    private const string Hostile = "x'); DROP TABLE jobs; --";

    private static readonly string[] Rows =
    [
        "(1, 'Senior Engineer', 'Acme', 'Austin', 150000.00, true, '2026-02-01', '2026-02-01T09:00:00Z', '[\"go\"]')",
        "(2, 'Engineer', 'Acme', 'Denver', 120000.00, false, '2026-01-15', '2026-01-15T09:00:00Z', NULL)",
        "(3, 'Sales Lead', 'Globex', NULL, 90000.00, false, '2025-12-01', '2025-12-01T09:00:00Z', NULL)",
        "(4, '" + Hostile.Replace("'", "''") + "', 'Initech', 'Austin', NULL, true, '2026-03-01', '2026-03-01T09:00:00Z', NULL)",
        "(5, '50%_off engineer', 'Initech', 'Remote', 80000.00, true, '2026-03-02', '2026-03-02T09:00:00Z', NULL)",
    ];

    public static TheoryData<string> Engines => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Compiled_queries_return_the_rows_asked_for(string engine)
    {
        await using var connection = await OpenAsync(engine);
        var dialect = engine == "sqlite" ? SqlDialect.Sqlite : SqlDialect.Postgres;
        var table = engine == "sqlite" ? Jobs with { Path = ["jobs"] } : Jobs;

        async Task<List<long>> IdsAsync(DataQuery query)
        {
            var (compiled, problem) = SqlQueryCompiler.Compile(query with { Fields = ["job_id"] }, table, dialect, new QueryLimits());
            Assert.Null(problem);
            await using var command = connection.CreateCommand();
            command.CommandText = compiled!.Sql;
            foreach (var parameter in compiled.Parameters)
            {
                var bound = command.CreateParameter();
                bound.ParameterName = parameter.Name;
                bound.Value = parameter.Value;
                command.Parameters.Add(bound);
            }
            var ids = new List<long>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(Convert.ToInt64(reader.GetValue(0)));
            }
            return ids;
        }

        Assert.Equal([1, 2, 5], await IdsAsync(Query(filters: [Filter("title", FilterOperator.Contains, "\"ENGINEER\"")], order: [new DataOrder("job_id", false)])));
        Assert.Equal([1, 4], await IdsAsync(Query(filters: [Filter("location", FilterOperator.Eq, "\"Austin\"")], order: [new DataOrder("job_id", false)])));
        Assert.Equal([3], await IdsAsync(Query(filters: [Filter("location", FilterOperator.IsNull, "true")])));
        Assert.Equal([1, 2], await IdsAsync(Query(filters: [Filter("salary_min", FilterOperator.Gte, "100000")], order: [new DataOrder("salary_min", true)])));
        Assert.Equal([5, 4], await IdsAsync(Query(filters: [Filter("posted_date", FilterOperator.Gt, "\"2026-02-01\"")], order: [new DataOrder("posted_date", true)])));
        Assert.Equal([2, 3], await IdsAsync(Query(filters: [Filter("company", FilterOperator.In, "[\"Acme\", \"Globex\"]"), Filter("remote", FilterOperator.Eq, "false")], order: [new DataOrder("job_id", false)])));
        Assert.Equal([3, 4], await IdsAsync(Query(order: [new DataOrder("job_id", false)], limit: 2, offset: 2)));
        // Wildcards in a value are literal: only the row that really has "50%_" matches.
        Assert.Equal([5], await IdsAsync(Query(filters: [Filter("title", FilterOperator.StartsWith, "\"50%_\"")])));
        Assert.Empty(await IdsAsync(Query(filters: [Filter("title", FilterOperator.Contains, "\"0%_o%\"")])));
        // The hostile title is data: matched as text, and the table is still there afterwards.
        Assert.Equal([4], await IdsAsync(Query(filters: [Filter("title", FilterOperator.Eq, System.Text.Json.JsonSerializer.Serialize(Hostile))])));
        Assert.Equal([4], await IdsAsync(Query(filters: [Filter("title", FilterOperator.Contains, "\"DROP TABLE\"")])));
        Assert.Equal(5, (await IdsAsync(Query())).Count);
    }

    private async Task<DbConnection> OpenAsync(string engine)
    {
        DbConnection connection;
        string ddl;
        if (engine == "sqlite")
        {
            connection = new SqliteConnection("Data Source=:memory:");
            ddl = "CREATE TABLE jobs (job_id INTEGER PRIMARY KEY, title TEXT NOT NULL, company TEXT NOT NULL, location TEXT, " +
                  "salary_min REAL, remote INTEGER NOT NULL, posted_date TEXT NOT NULL, updated_at TEXT NOT NULL, requirements TEXT)";
        }
        else
        {
            connection = new NpgsqlConnection(await postgres.CreateDatabaseAsync("compiled_queries", applySchema: false));
            ddl = "CREATE TABLE jobs (job_id integer PRIMARY KEY, title text NOT NULL, company text NOT NULL, location text, " +
                  "salary_min numeric(12,2), remote boolean NOT NULL, posted_date date NOT NULL, updated_at timestamptz NOT NULL, requirements jsonb)";
        }
        await connection.OpenAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = ddl + "; INSERT INTO jobs VALUES " + string.Join(", ", Rows);
        await create.ExecuteNonQueryAsync();
        return connection;
    }
}
