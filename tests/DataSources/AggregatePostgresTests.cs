using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Npgsql;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// Aggregates and member paths on a real PostgreSQL server: jsonb and json columns whose member is a number in some
/// rows, text in others, JSON null or missing in the rest, which must never make a statement fail.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class AggregatePostgresTests(PostgresServer postgres) : IAsyncLifetime
{
    private const int Rows = 12;
    private readonly DataGateway _gateway = new();
    private string _database = "";
    private string _source = "";
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync("agg", applySchema: false);
        _database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await PostgresServer.ExecuteAsync(connectionString, $"""
            CREATE ROLE {Reader} LOGIN PASSWORD 's3cret-reader';
            CREATE SCHEMA shop;
            CREATE TABLE shop.items (
                item_id integer PRIMARY KEY,
                dept    text NOT NULL,
                amount  integer NOT NULL,
                price   numeric(10, 2) NOT NULL,
                sold_on date NOT NULL,
                details jsonb,
                extra   json
            );
            INSERT INTO shop.items
            SELECT i, (ARRAY['a', 'b', 'c'])[1 + i % 3], i, i * 1.5, DATE '2026-01-01' + i,
                   CASE i % 4 WHEN 0 THEN jsonb_build_object('max', 'high', 'kind', 'text')
                              WHEN 1 THEN jsonb_build_object('max', i * 10, 'kind', 'num', 'flag', true)
                              WHEN 2 THEN jsonb_build_object('max', i * 10.5, 'kind', 'num', 'flag', false)
                              ELSE jsonb_build_object('kind', null) END,
                   json_build_object('state', CASE WHEN i % 2 = 0 THEN 'TX' ELSE 'CA' END)
            FROM generate_series(1, {Rows}) AS i;
            INSERT INTO shop.items VALUES ({Rows + 1}, 'a', 0, 0, DATE '2026-02-01', NULL, NULL);
            GRANT USAGE ON SCHEMA shop TO {Reader};
            GRANT SELECT ON ALL TABLES IN SCHEMA shop TO {Reader};
            """);
        await _gateway.EnsureSamplesAsync();
        _admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        _source = $"shop_{Guid.NewGuid():N}"[..12];
        using var created = await _admin.PostAsJsonAsync("/api/datasources", new
        {
            name = _source, type = "postgres",
            config = new { host = "127.0.0.1", port = postgres.Port, database = _database, username = Reader, password = "s3cret-reader", schemas = new[] { "shop" } },
            default_access = "none",
        });
        await created.AssertOkAsync(HttpStatusCode.Created);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.DisposeAsync();
    }

    private string Reader => "reader_" + _database;

    /// <summary>The number the member <c>max</c> holds in row <paramref name="i"/>, or null (text, JSON null, missing).</summary>
    private static decimal? Max(int i) => i > Rows ? null : (i % 4) switch { 1 => i * 10m, 2 => i * 10.5m, _ => null };

    private static string Dept(int i) => i > Rows ? "a" : new[] { "a", "b", "c" }[i % 3];

    private static IEnumerable<int> All => Enumerable.Range(1, Rows + 1);

    private Task<JsonElement> QueryAsync(object body) => _gateway.QueryOkAsync(_admin, body);

    private static long[] Ids(JsonElement answer) => [.. DataGateway.Rows(answer).Select(r => r.GetProperty("item_id").GetInt64())];

    [Fact]
    public async Task A_numeric_comparison_skips_rows_where_the_member_is_text_instead_of_failing()
    {
        var numeric = await QueryAsync(new
        {
            source = _source, fields = new[] { "item_id", "details.max" },
            filters = new[] { new { field = "details.max", op = "gt", value = 50 } }, order_by = new[] { "item_id" },
        });
        Assert.Equal(All.Where(i => Max(i) > 50).Select(i => (long)i), Ids(numeric));
        Assert.All(DataGateway.Rows(numeric), r => Assert.Equal(JsonValueKind.Number, r.GetProperty("details.max").ValueKind));

        var text = await QueryAsync(new { source = _source, filters = new[] { new { field = "details.max", op = "eq", value = "high" } }, order_by = "item_id" });
        Assert.Equal(All.Where(i => i <= Rows && i % 4 == 0).Select(i => (long)i), Ids(text));

        var flagged = await QueryAsync(new { source = _source, filters = new[] { new { field = "details.flag", op = "eq", value = true } }, order_by = "item_id" });
        Assert.Equal(All.Where(i => i <= Rows && i % 4 == 1).Select(i => (long)i), Ids(flagged));

        var missing = await QueryAsync(new { source = _source, filters = new[] { new { field = "details.max", op = "is_null", value = true } }, order_by = "item_id" });
        Assert.Equal(All.Where(i => i > Rows || i % 4 == 3).Select(i => (long)i), Ids(missing));

        var ordered = await QueryAsync(new { source = _source, fields = new[] { "item_id" }, order_by = new[] { "-details.max", "item_id" }, limit = 50 });
        Assert.Equal(Rows + 1, ordered.GetProperty("row_count").GetInt32());

        var json = await QueryAsync(new { source = _source, filters = new[] { new { field = "extra.state", op = "eq", value = "TX" } }, order_by = "item_id" });
        Assert.Equal(All.Where(i => i <= Rows && i % 2 == 0).Select(i => (long)i), Ids(json));
    }

    [Fact]
    public async Task Aggregates_per_group_match_the_rows_and_take_only_numeric_members()
    {
        var answer = await QueryAsync(new
        {
            source = _source, table = "items", group_by = new[] { "dept" },
            aggregates = new object[]
            {
                new { fn = "count" }, new { fn = "avg", field = "details.max", @as = "avg_max" }, new { fn = "count", field = "details.max" },
                new { fn = "sum", field = "amount" }, new { fn = "avg", field = "price" }, new { fn = "min", field = "sold_on" }, new { fn = "max", field = "details.max" },
            },
        });
        var types = answer.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());
        Assert.Equal(["dept", "count", "avg_max", "count_details_max", "sum_amount", "avg_price", "min_sold_on", "max_details_max"], types.Keys);
        Assert.Equal(["text", "integer", "decimal", "integer", "integer", "decimal", "date", "decimal"], types.Values);
        var rows = DataGateway.Rows(answer).ToArray();
        Assert.Equal(["a", "b", "c"], rows.Select(r => r.GetProperty("dept").GetString()));
        foreach (var row in rows)
        {
            var members = All.Where(i => Dept(i) == row.GetProperty("dept").GetString()).ToArray();
            var numbers = members.Select(Max).OfType<decimal>().ToArray();
            Assert.Equal(members.Length, row.GetProperty("count").GetInt32());
            // count of a field counts non-null values: "high" counts, JSON null and missing do not.
            Assert.Equal(members.Count(i => i <= Rows && i % 4 != 3), row.GetProperty("count_details_max").GetInt32());
            Assert.Equal(numbers.Average(), row.GetProperty("avg_max").GetDecimal(), 6);
            Assert.Equal(numbers.Max(), row.GetProperty("max_details_max").GetDecimal());
            Assert.Equal(members.Where(i => i <= Rows).Sum(), row.GetProperty("sum_amount").GetInt32());
            Assert.Equal(DateOnly.FromDateTime(new DateTime(2026, 1, 1)).AddDays(members.Min()).ToString("yyyy-MM-dd"), row.GetProperty("min_sold_on").GetString());
        }
    }

    [Fact]
    public async Task A_member_groups_by_its_json_value_with_null_and_missing_together()
    {
        var answer = await QueryAsync(new { source = _source, group_by = new[] { "details.kind" }, aggregates = new[] { new { fn = "count" } }, order_by = new[] { "-count" } });
        var groups = DataGateway.Rows(answer).Select(r => (r.GetProperty("details.kind").ValueKind == JsonValueKind.Null ? null : r.GetProperty("details.kind").GetString(),
            r.GetProperty("count").GetInt32())).ToArray();
        Assert.Equal([("num", 6), (null, 4), ("text", 3)], groups);

        var states = await QueryAsync(new { source = _source, group_by = new[] { "extra.state" }, aggregates = new[] { new { fn = "sum", field = "amount", @as = "total" } } });
        Assert.Equal([("CA", 36L), ("TX", 42L), (null, 0L)],
            DataGateway.Rows(states).Select(r => (r.GetProperty("extra.state").ValueKind == JsonValueKind.Null ? null : r.GetProperty("extra.state").GetString(),
                r.GetProperty("total").GetInt64())));
    }

    [Fact]
    public async Task Masked_json_fields_cannot_be_read_by_member_and_row_filters_restrict_counts()
    {
        var (keyId, apiKey) = await _gateway.CreateKeyAsync(new { owner = "pg-agg", permissions = new[] { "read" } });
        using (var grant = await _admin.PutAsJsonAsync($"/api/datasources/{_source}/grants/{keyId}", new
        {
            tables = new { items = new { masks = new { details = "redact" }, row_filters = new[] { new { field = "dept", op = "eq", value = "b" } } } },
        }))
        {
            await grant.AssertOkAsync();
        }
        using var client = _gateway.CreateClient(apiKey);
        using (var refused = await client.PostAsJsonAsync("/api/data/query", new { source = _source, group_by = new[] { "details.kind" }, aggregates = new[] { new { fn = "count" } } }))
        {
            await refused.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        var counted = await _gateway.QueryOkAsync(client, new { source = _source, aggregates = new[] { new { fn = "count" } } });
        Assert.Equal(All.Count(i => Dept(i) == "b"), DataGateway.Rows(counted).Single().GetProperty("count").GetInt32());
    }
}
