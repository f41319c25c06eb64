using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.DataSources.Samples;

/// <summary>
/// Builds the sample SQLite databases of the local default, with the user guide's schemas: <c>jobs.db</c> (a job board:
/// <c>salary_range</c> an object, <c>requirements</c> an array, <c>posted_date</c> a datetime) and
/// <c>homebuilders.db</c> (builders, and properties whose <c>location</c>, <c>specs</c> and <c>pricing</c> are
/// objects). The rows are generated from a fixed seed, so every install has the same data and examples in the README
/// give the same answers; only the posting dates are counted back from the day the file is made, so the guide's
/// <c>"posted_date": "last_6m"</c> finds postings on a fresh install whatever the date. The files carry
/// <see cref="Version"/> as their <c>user_version</c>; a sample an earlier version made is moved aside (kept, as
/// <c>jobs.v1.db</c>) and made again, and a file of that name that is no sample of ours is left alone.
/// </summary>
public static class SampleDatabases
{
    public const string JobsFile = "samples/jobs.db";
    public const string HomebuildersFile = "samples/homebuilders.db";
    public const int JobCount = 240;
    public const int BuilderCount = 12;
    public const int PropertyCount = 300;

    /// <summary>
    /// Version 1: salary_range text ("$90k-$110k"), requirements text, posted_date a date, location and pricing scalars.
    /// Version 2: the guide's types, without <c>jobs.status</c> and without postings made on the day the file is made.
    /// </summary>
    public const int Version = 3;

    /// <summary>Jobs (after the guide's own) posted on the day the file is made, so "today" finds postings on a fresh install.</summary>
    public const int PostedTodayFirstId = 5;
    public const int PostedTodayCount = 8;

    /// <summary>A job's status; most are open.</summary>
    public static readonly string[] JobStatuses = ["active", "closed", "filled"];

    /// <summary>The guide's own example, posted this many days before the file was made (so within last_6m, some within last_3m).</summary>
    public static readonly int[] GuideExampleAges = [12, 45, 100, 160];

    public const string GuideExampleTitle = "Software Engineer";
    public const string GuideExampleLocation = "Austin, TX";

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

    private static readonly string[] Streets =
    [
        "Oak Hollow Dr", "Bluebonnet Ln", "Cedar Ridge Rd", "Pecan Grove Way", "Mesa Verde Ct", "Willow Creek Blvd",
        "Juniper St", "Sunset Ridge Dr", "Prairie Wind Ln", "Granite Falls Way",
    ];

    /// <summary>
    /// Creates whichever sample file is missing, and makes again a sample an earlier version made (the old file is kept
    /// beside it). Returns the files made again, whose sources' discovered schemas are then out of date.
    /// </summary>
    public static IReadOnlyList<string> EnsureCreated(string dataDirectory, DateTimeOffset now)
    {
        var upgraded = new List<string>();
        if (Ensure(dataDirectory, JobsFile, IsEarlierJobs, connection => WriteJobs(connection, now)))
        {
            upgraded.Add(JobsFile);
        }
        if (Ensure(dataDirectory, HomebuildersFile, IsVersion1Homebuilders, WriteHomebuilders))
        {
            upgraded.Add(HomebuildersFile);
        }
        if (upgraded.Count > 0)
        {
            // A pooled connection opened on the earlier file (in this process) would go on reading it under its new name.
            SqliteConnection.ClearAllPools();
        }
        return upgraded;
    }

    /// <summary>Creates the file when missing or an earlier sample; true when an earlier sample was replaced.</summary>
    private static bool Ensure(string dataDirectory, string file, Func<SqliteConnection, bool> isEarlier, Action<SqliteConnection> write)
    {
        var path = Path.Combine(dataDirectory, file);
        var replaced = false;
        if (File.Exists(path))
        {
            if (!IsEarlierSample(path, isEarlier, out var version))
            {
                return false;
            }
            File.Move(path, AsideName(path, Math.Max(1, version)));
            replaced = true;
        }
        Create(path, write);
        return replaced;
    }

    /// <summary>Whether the file is a sample an earlier version made: an older version of ours, and an earlier version's columns.</summary>
    private static bool IsEarlierSample(string path, Func<SqliteConnection, bool> isEarlier, out long version)
    {
        version = 0;
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version";
            version = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            return version < Version && isEarlier(connection);
        }
        catch (SqliteException)
        {
            // Not a database we can read: not ours to replace.
            return false;
        }
    }

    private static bool IsEarlierJobs(SqliteConnection connection) =>
        DeclaredType(connection, "jobs", "salary_range") == "TEXT" && DeclaredType(connection, "jobs", "posted_date") == "DATE"
        || DeclaredType(connection, "jobs", "salary_range") == "OBJECT" && DeclaredType(connection, "jobs", "status") is null;

    private static bool IsVersion1Homebuilders(SqliteConnection connection) =>
        DeclaredType(connection, "properties", "pricing") == "DECIMAL" && DeclaredType(connection, "properties", "location") == "TEXT";

    private static string? DeclaredType(SqliteConnection connection, string table, string column)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type FROM pragma_table_info(@table) WHERE name = @column";
        command.Parameters.AddWithValue("table", table);
        command.Parameters.AddWithValue("column", column);
        return command.ExecuteScalar() as string;
    }

    /// <summary><c>jobs.v1.db</c> (by the version that made it), or <c>jobs.v1-2.db</c>… when that is taken.</summary>
    private static string AsideName(string path, long version)
    {
        var directory = Path.GetDirectoryName(path)!;
        var stem = Path.GetFileNameWithoutExtension(path);
        var candidate = Path.Combine(directory, $"{stem}.v{version}.db");
        for (var n = 2; File.Exists(candidate); n++)
        {
            candidate = Path.Combine(directory, $"{stem}.v{version}-{n}.db");
        }
        return candidate;
    }

    private static void Create(string path, Action<SqliteConnection> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Built under a temporary name and moved into place, so a crash never leaves a half-filled sample behind.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
        {
            connection.Open();
            using (var transaction = connection.BeginTransaction())
            {
                write(connection);
                transaction.Commit();
            }
            Execute(connection, $"PRAGMA user_version = {Version}");
        }
        File.Move(temporary, path);
    }

    private static void WriteJobs(SqliteConnection connection, DateTimeOffset now)
    {
        // The guide's types, declared by the guide's names: the connector reports OBJECT, ARRAY and DATETIME columns as
        // object, array and datetime. Datetimes are UTC text in SQLite's own format, which is what it compares and binds.
        Execute(connection, """
            CREATE TABLE jobs (
                job_id       INTEGER PRIMARY KEY,
                title        TEXT NOT NULL,
                company      TEXT NOT NULL,
                location     TEXT NOT NULL,
                salary_range OBJECT,
                requirements ARRAY NOT NULL,
                posted_date  DATETIME NOT NULL,
                status       TEXT NOT NULL
            )
            """);
        var random = new Random(20260101);
        // Its own sequence, so the columns of version 2 keep their values.
        var statusRandom = new Random(20260303);
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO jobs VALUES (@id, @title, @company, @location, @salary, @requirements, @posted, @status)";
        for (var id = 1; id <= JobCount; id++)
        {
            var guideExample = id <= GuideExampleAges.Length;
            var title = guideExample ? GuideExampleTitle : Titles[random.Next(Titles.Length)];
            var low = 70 + random.Next(0, 14) * 10;
            var senior = title.Contains("Senior", StringComparison.Ordinal) || title.Contains("Manager", StringComparison.Ordinal)
                || title.Contains("Architect", StringComparison.Ordinal);
            if (senior)
            {
                low += 40;
            }
            var high = low + 20 + random.Next(0, 4) * 10;
            var skills = Skills.OrderBy(_ => random.Next()).Take(3).ToArray();
            var years = (senior ? 5 : 1) + random.Next(4);
            var company = Companies[random.Next(Companies.Length)];
            var location = guideExample ? GuideExampleLocation : Cities[random.Next(Cities.Length)];
            var salaryMissing = !guideExample && random.Next(10) == 0;
            // Whole days back (one to 360, so never in the future and all within last_1y for a few days), at a minute of the working day.
            var age = guideExample ? GuideExampleAges[id - 1] : 1 + random.Next(0, 360);
            var posted = today.AddDays(-age).AddMinutes(8 * 60 + random.Next(0, 10 * 60));
            var postedToday = id >= PostedTodayFirstId && id < PostedTodayFirstId + PostedTodayCount;
            if (postedToday)
            {
                // At the start of the day, a minute apart: the same day makes the same file, whatever its hour.
                posted = today.AddMinutes(id - PostedTodayFirstId);
            }
            var roll = statusRandom.Next(10);
            // A posting of the last weeks is mostly still open; older ones are mostly closed or filled.
            var status = guideExample || postedToday ? (roll < 8 ? "active" : "closed")
                : age <= 60 ? (roll < 7 ? "active" : roll < 9 ? "filled" : "closed")
                : roll < 3 ? "active" : roll < 7 ? "filled" : "closed";
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("title", title);
            insert.Parameters.AddWithValue("company", company);
            insert.Parameters.AddWithValue("location", location);
            insert.Parameters.AddWithValue("salary", salaryMissing
                ? DBNull.Value
                : JsonSerializer.Serialize(new { min = low * 1000, max = high * 1000, currency = "USD" }));
            insert.Parameters.AddWithValue("requirements", JsonSerializer.Serialize(new[] { $"{years}+ years of experience", skills[0], skills[1], skills[2] }));
            insert.Parameters.AddWithValue("posted", posted.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("status", status);
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
                location            OBJECT NOT NULL,
                specs               OBJECT NOT NULL,
                pricing             OBJECT NOT NULL,
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
                var builder = 1 + random.Next(BuilderCount);
                // "Austin, TX" → city Austin, state TX (the builders' cities, never "Remote").
                var market = Cities[random.Next(Cities.Length - 1)].Split(", ");
                var location = JsonSerializer.Serialize(new
                {
                    address = $"{100 + random.Next(0, 9900)} {Streets[random.Next(Streets.Length)]}",
                    city = market[0],
                    state = market[1],
                });
                var basePrice = Math.Round(sqft * (140 + random.Next(0, 160)) / 1000.0) * 1000;
                var pricing = JsonSerializer.Serialize(new
                {
                    base_price = basePrice,
                    price_per_sqft = Math.Round(basePrice / sqft),
                    currency = "USD",
                });
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("builder", builder);
                insert.Parameters.AddWithValue("location", location);
                insert.Parameters.AddWithValue("specs", specs);
                insert.Parameters.AddWithValue("pricing", pricing);
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
