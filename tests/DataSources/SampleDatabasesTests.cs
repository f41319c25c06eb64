using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Connectors.Sqlite;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.DataSources.Query;
using Mcp.Cluster.DataSources.Samples;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// The sample databases follow the user guide's schemas, read through the real SQLite connector with a fixed clock,
/// and a data folder an earlier version made is upgraded without losing anything.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class SampleDatabasesTests : IDisposable
{
    private static readonly DateTimeOffset MadeAt = new(2026, 8, 31, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private SqliteConnector Connector(string file) => new(new ConnectorConfig(new JsonObject { ["path"] = file }),
        new SqlitePathPolicy(_data.Path, null), TimeSpan.FromSeconds(10), new ResultCaps(16 << 20, 1 << 20));

    private static async Task<JsonElement> ReadAsync(SqliteConnector connector, TableSchema table, DataQuery query, DateTimeOffset now)
    {
        var (filters, added, problem) = RelativePeriodFilters.Expand(query.Filters, table, now);
        Assert.Null(problem);
        var (read, compileProblem) = connector.Prepare(query with { Filters = filters }, table, new QueryLimits().WithRowFilters(added));
        Assert.Null(compileProblem);
        var rows = await connector.ReadAsync(read!, CancellationToken.None);
        using var masker = new FieldMasker(new byte[32]);
        return JsonDocument.Parse(RowJsonWriter.Write(rows, new Dictionary<string, MaskKind>(), masker)).RootElement.Clone();
    }

    [Fact]
    public async Task The_jobs_sample_has_the_guides_types_and_answers_the_guides_query()
    {
        Assert.Empty(SampleDatabases.EnsureCreated(_data.Path, MadeAt));
        await using var connector = Connector(SampleDatabases.JobsFile);
        var jobs = Assert.Single(await connector.DiscoverAsync(CancellationToken.None));
        Assert.Equal(
        [
            ("job_id", DataType.Integer), ("title", DataType.Text), ("company", DataType.Text), ("location", DataType.Text),
            ("salary_range", DataType.Object), ("requirements", DataType.Array), ("posted_date", DataType.Datetime), ("status", DataType.Text),
        ], jobs.Columns.Select(c => (c.Name, c.Type)));

        // The guide's query, a day after the file was made: its own example rows, typed as the guide has them.
        var query = new DataQuery(null, null,
        [
            new DataFilter("title", FilterOperator.Eq, "\"Software Engineer\""),
            new DataFilter("location", FilterOperator.Eq, "\"Austin, TX\""),
            new DataFilter("posted_date", FilterOperator.Eq, "\"last_6m\""),
        ], [new DataOrder("posted_date", true)], 1000, 0);
        var now = MadeAt.AddDays(1);
        var rows = (await ReadAsync(connector, jobs, query, now)).EnumerateArray().ToArray();
        Assert.True(rows.Length >= SampleDatabases.GuideExampleAges.Length, $"{rows.Length} rows");
        foreach (var row in rows)
        {
            Assert.Equal("Software Engineer", row.GetProperty("title").GetString());
            Assert.Equal("Austin, TX", row.GetProperty("location").GetString());
            var posted = row.GetProperty("posted_date").GetDateTimeOffset();
            Assert.InRange(posted, now.AddMonths(-6), now);
            Assert.Equal(TimeSpan.Zero, posted.Offset);
            Assert.Equal(JsonValueKind.String, row.GetProperty("requirements")[0].ValueKind);
            if (row.GetProperty("salary_range").ValueKind != JsonValueKind.Null)
            {
                var salary = row.GetProperty("salary_range");
                Assert.True(salary.GetProperty("max").GetInt32() > salary.GetProperty("min").GetInt32());
                Assert.Equal("USD", salary.GetProperty("currency").GetString());
            }
        }
        // last_3m holds the recent half of the guide's examples; every posting is within a year.
        var recent = await ReadAsync(connector, jobs, query with { Filters = [.. query.Filters.Take(2), new DataFilter("posted_date", FilterOperator.Eq, "\"last_3m\"")] }, now);
        Assert.InRange(recent.GetArrayLength(), SampleDatabases.GuideExampleAges.Count(a => a < 90), rows.Length - 1);
        var year = await ReadAsync(connector, jobs, new DataQuery(null, ["job_id"], [new DataFilter("posted_date", FilterOperator.Eq, "\"last_1y\"")], [], 1000, 0), now);
        Assert.Equal(SampleDatabases.JobCount, year.GetArrayLength());
    }

    [Fact]
    public async Task The_homebuilders_sample_has_object_location_specs_and_pricing()
    {
        SampleDatabases.EnsureCreated(_data.Path, MadeAt);
        await using var connector = Connector(SampleDatabases.HomebuildersFile);
        var tables = await connector.DiscoverAsync(CancellationToken.None);
        var properties = tables.Single(t => t.Name == "properties");
        Assert.Equal(
        [
            ("property_id", DataType.Integer), ("builder_id", DataType.Integer), ("location", DataType.Object), ("specs", DataType.Object),
            ("pricing", DataType.Object), ("construction_status", DataType.Text), ("completion_date", DataType.Date),
        ], properties.Columns.Select(c => (c.Name, c.Type)));
        var rows = await ReadAsync(connector, properties, new DataQuery("properties", null, [], [new DataOrder("property_id", false)], 1000, 0), MadeAt);
        Assert.Equal(SampleDatabases.PropertyCount, rows.GetArrayLength());
        Assert.Contains(rows.EnumerateArray(), r => r.GetProperty("location").GetProperty("city").GetString() == "Austin"
            && r.GetProperty("location").GetProperty("state").GetString() == "TX");
        Assert.All(rows.EnumerateArray(), r =>
        {
            Assert.True(r.GetProperty("pricing").GetProperty("base_price").GetDecimal() > 100_000);
            Assert.True(r.GetProperty("specs").GetProperty("sqft").GetInt32() > 1000);
        });
    }

    [Fact]
    public void The_same_day_makes_the_same_data()
    {
        using var other = new TempDirectory();
        SampleDatabases.EnsureCreated(_data.Path, MadeAt);
        SampleDatabases.EnsureCreated(other.Path, MadeAt.AddHours(5));
        foreach (var file in new[] { SampleDatabases.JobsFile, SampleDatabases.HomebuildersFile })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_data.Path, file)), File.ReadAllBytes(Path.Combine(other.Path, file)));
        }
    }

    [Fact]
    public void An_earlier_sample_is_moved_aside_and_made_again_and_a_file_of_its_own_is_left_alone()
    {
        var samples = Directory.CreateDirectory(Path.Combine(_data.Path, "samples")).FullName;
        // What version 1 made (its schema, one row each).
        Execute(Path.Combine(samples, "jobs.db"), """
            CREATE TABLE jobs (job_id INTEGER PRIMARY KEY, title TEXT NOT NULL, company TEXT NOT NULL, location TEXT NOT NULL,
                salary_range TEXT, requirements TEXT NOT NULL, posted_date DATE NOT NULL);
            INSERT INTO jobs VALUES (1, 'Data Engineer', 'Globex', 'Austin, TX', '$90k-$110k', '3+ years of experience; SQL, Go and AWS', '2026-01-05');
            """);
        Execute(Path.Combine(samples, "homebuilders.db"), """
            CREATE TABLE builders (builder_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE properties (property_id INTEGER PRIMARY KEY, builder_id INTEGER NOT NULL, location TEXT NOT NULL,
                specs JSON NOT NULL, pricing DECIMAL NOT NULL, construction_status TEXT NOT NULL, completion_date DATE);
            """);
        var upgraded = SampleDatabases.EnsureCreated(_data.Path, MadeAt);
        Assert.Equal([SampleDatabases.JobsFile, SampleDatabases.HomebuildersFile], upgraded);
        // Nothing lost: the earlier files are kept beside the new ones.
        Assert.Equal("$90k-$110k", Scalar(Path.Combine(samples, "jobs.v1.db"), "SELECT salary_range FROM jobs"));
        Assert.True(File.Exists(Path.Combine(samples, "homebuilders.v1.db")));
        Assert.Equal((long)SampleDatabases.Version, Scalar(Path.Combine(samples, "jobs.db"), "PRAGMA user_version"));
        Assert.Equal((long)SampleDatabases.JobCount, Scalar(Path.Combine(samples, "jobs.db"), "SELECT count(*) FROM jobs"));
        // Current samples are left as they are.
        Assert.Empty(SampleDatabases.EnsureCreated(_data.Path, MadeAt.AddDays(30)));

        // A jobs.db that is no sample of ours (someone put their own database there) is never replaced.
        using var own = new TempDirectory();
        var ownSamples = Directory.CreateDirectory(Path.Combine(own.Path, "samples")).FullName;
        Execute(Path.Combine(ownSamples, "jobs.db"), "CREATE TABLE jobs (id INTEGER, note TEXT); INSERT INTO jobs VALUES (1, 'mine');");
        Assert.Empty(SampleDatabases.EnsureCreated(own.Path, MadeAt));
        Assert.Equal("mine", Scalar(Path.Combine(ownSamples, "jobs.db"), "SELECT note FROM jobs"));
        Assert.False(File.Exists(Path.Combine(ownSamples, "jobs.v1.db")));
    }

    private static void Execute(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
