using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.DataSources.Samples;

/// <summary>
/// Builds the sample SQLite databases of the local default: <c>jobs.db</c> (a job board) and <c>homebuilders.db</c>
/// (builders and the properties they build). The rows are generated from a fixed seed, so every install has the same
/// data and examples in the README give the same answers.
/// </summary>
public static class SampleDatabases
{
    public const string JobsFile = "samples/jobs.db";
    public const string HomebuildersFile = "samples/homebuilders.db";
    public const int JobCount = 240;
    public const int BuilderCount = 12;
    public const int PropertyCount = 300;

    private static readonly string[] Titles =
    [
        "Software Engineer", "Senior Software Engineer", "Data Engineer", "Data Scientist", "Machine Learning Engineer",
        "Site Reliability Engineer", "Product Manager", "Engineering Manager", "Frontend Developer", "Backend Developer",
        "Security Engineer", "Database Administrator", "QA Engineer", "DevOps Engineer", "Technical Writer",
        "Solutions Architect", "UX Designer", "Analytics Engineer", "Platform Engineer", "Mobile Developer",
    ];

    private static readonly string[] Companies =
    [
        "Acme Analytics", "Globex", "Initech", "Umbrella Health", "Stark Robotics", "Wayne Logistics", "Hooli",
        "Vandelay Imports", "Soylent Foods", "Tyrell Systems", "Cyberdyne Cloud", "Oscorp Energy",
    ];

    private static readonly string[] Cities =
    [
        "Austin, TX", "Seattle, WA", "New York, NY", "San Francisco, CA", "Denver, CO", "Chicago, IL", "Boston, MA",
        "Atlanta, GA", "Raleigh, NC", "Phoenix, AZ", "Remote",
    ];

    private static readonly string[] Skills =
    [
        "C#", ".NET", "Python", "SQL", "PostgreSQL", "Kubernetes", "AWS", "Azure", "Terraform", "React", "TypeScript",
        "Go", "Rust", "Spark", "Airflow", "Kafka", "Docker", "Linux", "Java", "machine learning",
    ];

    private static readonly string[] BuilderNames =
    [
        "Summit Homes", "Riverbend Builders", "Oakridge Communities", "Bluebonnet Homes", "Cascade Residential",
        "Prairie View Homes", "Harbor Point Builders", "Red Rock Homes", "Magnolia Living", "Evergreen Custom Homes",
        "Lakeside Homebuilders", "Copper Canyon Homes",
    ];

    private static readonly string[] Statuses = ["planned", "permitted", "foundation", "framing", "finishing", "completed"];

    /// <summary>Creates whichever sample file is missing; existing files are left as they are.</summary>
    public static void EnsureCreated(string dataDirectory)
    {
        Create(Path.Combine(dataDirectory, JobsFile), WriteJobs);
        Create(Path.Combine(dataDirectory, HomebuildersFile), WriteHomebuilders);
    }

    private static void Create(string path, Action<SqliteConnection> write)
    {
        if (File.Exists(path))
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Built under a temporary name and moved into place, so a crash never leaves a half-filled sample behind.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            write(connection);
            transaction.Commit();
        }
        File.Move(temporary, path);
    }

    private static void WriteJobs(SqliteConnection connection)
    {
        Execute(connection, """
            CREATE TABLE jobs (
                job_id       INTEGER PRIMARY KEY,
                title        TEXT NOT NULL,
                company      TEXT NOT NULL,
                location     TEXT NOT NULL,
                salary_range TEXT,
                requirements TEXT NOT NULL,
                posted_date  DATE NOT NULL
            )
            """);
        var random = new Random(20260101);
        var firstDay = new DateOnly(2026, 1, 5);
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO jobs VALUES (@id, @title, @company, @location, @salary, @requirements, @posted)";
        for (var id = 1; id <= JobCount; id++)
        {
            var title = Titles[random.Next(Titles.Length)];
            var low = 70 + random.Next(0, 14) * 10;
            var senior = title.Contains("Senior", StringComparison.Ordinal) || title.Contains("Manager", StringComparison.Ordinal)
                || title.Contains("Architect", StringComparison.Ordinal);
            if (senior)
            {
                low += 40;
            }
            var skills = Skills.OrderBy(_ => random.Next()).Take(3).ToArray();
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("title", title);
            insert.Parameters.AddWithValue("company", Companies[random.Next(Companies.Length)]);
            insert.Parameters.AddWithValue("location", Cities[random.Next(Cities.Length)]);
            insert.Parameters.AddWithValue("salary", random.Next(10) == 0 ? DBNull.Value : $"${low}k-${low + 20 + random.Next(0, 4) * 10}k");
            insert.Parameters.AddWithValue("requirements",
                $"{(senior ? 5 : 1) + random.Next(4)}+ years of experience; {skills[0]}, {skills[1]} and {skills[2]}");
            insert.Parameters.AddWithValue("posted", firstDay.AddDays(random.Next(0, 300)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            insert.ExecuteNonQuery();
        }
    }

    private static void WriteHomebuilders(SqliteConnection connection)
    {
        Execute(connection, """
            CREATE TABLE builders (
                builder_id    INTEGER PRIMARY KEY,
                name          TEXT NOT NULL,
                headquarters  TEXT NOT NULL,
                contact_email TEXT NOT NULL,
                phone         TEXT NOT NULL,
                founded_year  INTEGER NOT NULL
            );
            CREATE TABLE properties (
                property_id         INTEGER PRIMARY KEY,
                builder_id          INTEGER NOT NULL REFERENCES builders (builder_id),
                location            TEXT NOT NULL,
                specs               JSON NOT NULL,
                pricing             DECIMAL NOT NULL,
                construction_status TEXT NOT NULL,
                completion_date     DATE
            );
            """);
        var random = new Random(20260202);
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO builders VALUES (@id, @name, @hq, @email, @phone, @founded)";
            for (var id = 1; id <= BuilderCount; id++)
            {
                var name = BuilderNames[id - 1];
                var slug = name.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("name", name);
                insert.Parameters.AddWithValue("hq", Cities[random.Next(Cities.Length - 1)]);
                insert.Parameters.AddWithValue("email", $"sales@{slug}.example");
                insert.Parameters.AddWithValue("phone", $"+1-555-{random.Next(100, 999)}-{random.Next(1000, 9999)}");
                insert.Parameters.AddWithValue("founded", 1960 + random.Next(0, 60));
                insert.ExecuteNonQuery();
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO properties VALUES (@id, @builder, @location, @specs, @pricing, @status, @completion)";
            for (var id = 1; id <= PropertyCount; id++)
            {
                var bedrooms = 2 + random.Next(0, 4);
                var sqft = 1100 + bedrooms * 350 + random.Next(0, 12) * 50;
                var specs = JsonSerializer.Serialize(new
                {
                    bedrooms,
                    bathrooms = bedrooms - 1 + random.Next(0, 3) * 0.5,
                    sqft,
                    stories = sqft > 2400 ? 2 : 1,
                    garage_spaces = 1 + random.Next(0, 3),
                    lot_acres = Math.Round(0.12 + random.NextDouble() * 0.5, 2),
                });
                var status = Statuses[random.Next(Statuses.Length)];
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("builder", 1 + random.Next(BuilderCount));
                insert.Parameters.AddWithValue("location", Cities[random.Next(Cities.Length - 1)]);
                insert.Parameters.AddWithValue("specs", specs);
                insert.Parameters.AddWithValue("pricing", Math.Round(sqft * (140 + random.Next(0, 160)) / 1000.0) * 1000);
                insert.Parameters.AddWithValue("status", status);
                insert.Parameters.AddWithValue("completion", status == "completed"
                    ? new DateOnly(2025, 1, 1).AddDays(random.Next(0, 600)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : DBNull.Value);
                insert.ExecuteNonQuery();
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
