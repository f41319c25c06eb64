using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Mcp.Cluster.Tests.Infrastructure;
using Parquet.Schema;
using Parquet.Serialization;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>Parquet, CSV and JSON files in Azure Blob Storage as tables, against Azurite (the official emulator).</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Tier", "System")]
public sealed class AzureBlobDataSourceTests(AzuriteServer azurite) : IAsyncLifetime
{
    private readonly DataGateway _gateway = new();
    private BlobContainerClient _container = null!;

    private const string JobsCsv = """"
        job_id,title,company,salary,remote,posted
        1,"Engineer, Platform",Acme,120000.50,true,2026-01-05
        2,Data Analyst,"Globex ""West""",85000,false,2026-02-10
        3,Engineer,Initech,,true,2026-03-15
        4,Site Reliability Engineer,Acme,140000,false,
        5,Designer,Hooli,99000.25,true,2026-05-01

        """";

    public async Task InitializeAsync()
    {
        _container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient($"data{Guid.NewGuid():N}"[..20]);
        await _container.CreateAsync();
        await UploadAsync("lake/jobs.csv", JobsCsv);
        await UploadAsync("lake/events.jsonl", string.Join("\n", Enumerable.Range(1, 30).Select(i => JsonSerializer.Serialize(new
        {
            id = i, kind = i % 3 == 0 ? "click" : "view", at = $"2026-03-01T{i % 24:00}:00:00Z", score = i * 1.5, meta = new { page = $"/p/{i}" },
        }))) + "\n");
        await UploadAsync("lake/people.json", JsonSerializer.Serialize(new object[]
        {
            new { name = "Ana", email = "ana@corp.example", age = 31 },
            new { name = "Bo", email = "bo@corp.example", age = 45 },
            new { name = "Cy", email = (string?)null, age = 28 },
        }));
        await UploadAsync("lake/notes.txt", "not a table");
        // A partitioned Parquet dataset: one table made of every file in the folder.
        await UploadParquetAsync("lake/sales/part-0000.parquet", 1, 60);
        await UploadParquetAsync("lake/sales/part-0001.parquet", 61, 40);
        // Outside the prefix: not part of the source.
        await UploadAsync("elsewhere/secret.csv", "a,b\n1,2\n");
        await _gateway.EnsureSamplesAsync();
    }

    public async Task DisposeAsync()
    {
        await _container.DeleteIfExistsAsync();
        await _gateway.DisposeAsync();
    }

    private Task UploadAsync(string name, string text) =>
        _container.GetBlobClient(name).UploadAsync(BinaryData.FromString(text), overwrite: true);

    private static (long Id, string Region, decimal Amount, DateTime Day, DateTime At, bool Paid) Sale(int i) =>
        (i, (i % 4) switch { 0 => "north", 1 => "south", 2 => "east", _ => "west" }, 100m + i * 2.5m,
            new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i), i % 2 == 0);

    private async Task UploadParquetAsync(string name, int first, int count)
    {
        var schema = new ParquetSchema(
            new DataField<long>("sale_id"), new DataField<string>("region"), new DecimalDataField("amount", 12, 2),
            new DateTimeDataField("day", DateTimeFormat.Date), new DateTimeDataField("at", DateTimeFormat.Timestamp), new DataField<bool>("paid"));
        var rows = Enumerable.Range(first, count).Select(i =>
        {
            var s = Sale(i);
            return (IDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["sale_id"] = s.Id, ["region"] = s.Region, ["amount"] = s.Amount, ["day"] = s.Day, ["at"] = s.At, ["paid"] = s.Paid,
            };
        }).ToList();
        using var stream = new MemoryStream();
        await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream);
        stream.Position = 0;
        await _container.GetBlobClient(name).UploadAsync(stream, overwrite: true);
    }

    private async Task<string> RegisterAsync(string? accountKey = null, string expectedStatus = "active", int cacheTtl = 0)
    {
        var name = $"lake_{Guid.NewGuid():N}"[..14];
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name, type = "azure_blob",
            config = new
            {
                account_url = azurite.AccountUrl, account_name = AzuriteServer.AccountName, account_key = accountKey ?? AzuriteServer.AccountKey,
                container = _container.Name, prefix = "lake",
            },
            default_access = "read", cache_ttl_seconds = cacheTtl,
            masks = new Dictionary<string, string> { ["people.email"] = "partial" },
        });
        var body = await created.AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal(expectedStatus, body.GetProperty("status").GetString());
        Assert.Equal("********", body.GetProperty("config").GetProperty("account_key").GetString());
        return name;
    }

    [Fact]
    public async Task Files_and_folders_become_typed_tables()
    {
        var name = await RegisterAsync();
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var schema = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{name}/schema");
        var tables = schema.GetProperty("tables").EnumerateArray().ToDictionary(
            t => t.GetProperty("name").GetString()!,
            t => t.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString()));
        Assert.Equal(["events", "jobs", "people", "sales"], tables.Keys.Order());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["job_id"] = "integer", ["title"] = "text", ["company"] = "text", ["salary"] = "decimal", ["remote"] = "boolean", ["posted"] = "date",
        }, tables["jobs"]);
        Assert.Equal(new Dictionary<string, string?>
        {
            ["sale_id"] = "integer", ["region"] = "text", ["amount"] = "decimal", ["day"] = "date", ["at"] = "datetime", ["paid"] = "boolean",
        }, tables["sales"]);
        Assert.Equal(new Dictionary<string, string?>
        {
            ["id"] = "integer", ["kind"] = "text", ["at"] = "datetime", ["score"] = "decimal", ["meta"] = "json",
        }, tables["events"]);
        Assert.Equal("integer", tables["people"]["age"]);
    }

    [Fact]
    public async Task Queries_over_parquet_csv_and_json_filter_sort_and_page_like_sql_sources()
    {
        var name = await RegisterAsync();
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);

        var sales = await _gateway.QueryOkAsync(admin, new
        {
            source = name, table = "sales",
            filters = new object[]
            {
                new { field = "region", op = "in", value = new[] { "north", "east" } },
                new { field = "amount", op = "gte", value = 200 },
                new { field = "day", op = "lt", value = "2026-04-01" },
                new { field = "paid", op = "eq", value = true },
            },
            order_by = "-amount", limit = 5, offset = 1,
        });
        var expected = Enumerable.Range(1, 100).Select(Sale)
            .Where(s => s.Region is "north" or "east" && s.Amount >= 200 && s.Day < new DateTime(2026, 4, 1) && s.Paid)
            .OrderByDescending(s => s.Amount).Skip(1).Take(5).ToArray();
        Assert.Equal(expected.Select(s => s.Id), DataGateway.Rows(sales).Select(r => r.GetProperty("sale_id").GetInt64()));
        var top = DataGateway.Rows(sales).First();
        Assert.Equal(expected[0].Amount, top.GetProperty("amount").GetDecimal());
        Assert.Equal(expected[0].Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), top.GetProperty("day").GetString());
        Assert.Equal(new DateTimeOffset(expected[0].At), top.GetProperty("at").GetDateTimeOffset());

        // CSV: quoted commas and quotes, empty cells as null (which no comparison matches), case-insensitive contains.
        var jobs = await _gateway.QueryOkAsync(admin, new { source = name, table = "jobs", filters = new[] { new { field = "title", op = "contains", value = "ENGINEER" } }, order_by = "job_id" });
        Assert.Equal([1L, 3L, 4L], DataGateway.Rows(jobs).Select(r => r.GetProperty("job_id").GetInt64()));
        Assert.Equal("Engineer, Platform", DataGateway.Rows(jobs).First().GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, DataGateway.Rows(jobs).ElementAt(1).GetProperty("salary").ValueKind);
        var notAcme = await _gateway.QueryOkAsync(admin, new { source = name, table = "jobs", filters = new[] { new { field = "salary", op = "ne", value = 1 } } });
        Assert.Equal(4, notAcme.GetProperty("row_count").GetInt32());
        var globex = await _gateway.QueryOkAsync(admin, new { source = name, table = "jobs", filters = new Dictionary<string, object> { ["company"] = "Globex \"West\"" } });
        Assert.Equal(2, DataGateway.Rows(globex).Single().GetProperty("job_id").GetInt64());
        var byPosted = await _gateway.QueryOkAsync(admin, new { source = name, table = "jobs", order_by = new[] { "-posted" }, fields = new[] { "job_id" } });
        // As in PostgreSQL, a missing value sorts first descending (and last ascending).
        Assert.Equal([4L, 5L, 3L, 2L, 1L], DataGateway.Rows(byPosted).Select(r => r.GetProperty("job_id").GetInt64()));

        // JSON Lines with nested objects, and a JSON array with a masked field for a non-admin key.
        var events = await _gateway.QueryOkAsync(admin, new { source = name, table = "events", filters = new Dictionary<string, object> { ["kind"] = "click" }, order_by = "-id", limit = 2 });
        Assert.Equal([30L, 27L], DataGateway.Rows(events).Select(r => r.GetProperty("id").GetInt64()));
        Assert.Equal("/p/30", DataGateway.Rows(events).First().GetProperty("meta").GetProperty("page").GetString());
        var (_, apiKey) = await _gateway.CreateKeyAsync(new { owner = "lake-reader", permissions = new[] { "read" } });
        using var reader = _gateway.CreateClient(apiKey);
        var people = await _gateway.QueryOkAsync(reader, new { source = name, table = "people", order_by = "age" });
        Assert.Equal(["Cy", "Ana", "Bo"], DataGateway.Rows(people).Select(r => r.GetProperty("name").GetString()));
        Assert.Equal("a**@corp.example", DataGateway.Rows(people).ElementAt(1).GetProperty("email").GetString());

        // The same checks as every other source.
        using (var bad = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "sales", filters = new { amount = "lots" } }))
        {
            await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var hostile = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "sales", fields = new[] { "region\"; --" } }))
        {
            await hostile.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var secret = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "secret" }))
        {
            await secret.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var sql = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql = "SELECT 1" }))
        {
            await sql.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
    }

    [Fact]
    public async Task A_changed_file_is_read_again_and_a_bad_key_puts_the_source_in_error()
    {
        var name = await RegisterAsync(cacheTtl: 0);
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        Assert.Equal(5, (await _gateway.QueryOkAsync(admin, new { source = name, table = "jobs" })).GetProperty("row_count").GetInt32());
        await UploadAsync("lake/jobs.csv", JobsCsv + "6,Writer,Acme,70000,false,2026-06-01\n");
        Assert.Equal(6, (await _gateway.QueryOkAsync(admin, new { source = name, table = "jobs" })).GetProperty("row_count").GetInt32());
        await UploadParquetAsync("lake/sales/part-0002.parquet", 101, 10);
        Assert.Equal(110, (await _gateway.QueryOkAsync(admin, new { source = name, table = "sales", limit = 1000 })).GetProperty("row_count").GetInt32());

        var wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('k', 64)));
        var broken = await RegisterAsync(accountKey: wrong, expectedStatus: "error");
        using var refused = await admin.PostAsJsonAsync("/api/data/query", new { source = broken, table = "jobs" });
        await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "data_source_unavailable");
    }
}
