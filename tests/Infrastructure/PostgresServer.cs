using Npgsql;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the cluster tests: a private instance started from the machine's own binaries
/// (<c>/usr/lib/postgresql/*/bin</c>, or <c>MCP_TEST_PG_BIN</c>) in a temporary directory on a free port, stopped at the
/// end. When running as root it runs as the <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// Each test class gets its own database with <c>deploy/postgres/schema.sql</c> applied by <c>psql</c>, as an operator would.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private string _bin = "";
    private bool _asPostgresUser;
    private int _databases;

    public int Port { get; private set; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public static string SchemaScript => Path.Combine(CommandLine.RepositoryRoot, "deploy", "postgres", "schema.sql");

    public async Task InitializeAsync()
    {
        _bin = Environment.GetEnvironmentVariable("MCP_TEST_PG_BIN") ?? FindBinaries();
        _asPostgresUser = Environment.UserName == "root";
        var data = Path.Combine(_directory.Path, "data");
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres", _directory.Path]);
        }
        await RunPostgresToolAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        Port = FreePort.Next();
        await RunPostgresToolAsync("pg_ctl", ["-D", data, "-w", "-t", "60", "-l", Path.Combine(_directory.Path, "server.log"), "-o",
            $"-p {Port} -k {_directory.Path} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300", "start"]);
    }

    /// <summary>A new, empty database; with <paramref name="applySchema"/>, deploy/postgres/schema.sql applied to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, bool applySchema = true)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        if (applySchema)
        {
            await ApplySchemaAsync(name);
        }
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    public Task ApplySchemaAsync(string database) =>
        RunAsync(Path.Combine(_bin, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(),
            "-U", "postgres", "-d", database, "-f", SchemaScript]);

    public async Task DisposeAsync()
    {
        try
        {
            await RunPostgresToolAsync("pg_ctl", ["-D", Path.Combine(_directory.Path, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run the suite with tests/run, which obtains them (or apt-get install postgresql, or set MCP_TEST_PG_BIN).");
    }

    private Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    // From "/": the postgres user may not be allowed into the test run's own directory.
    private static Task RunAsync(string file, IReadOnlyList<string> arguments) =>
        CommandLine.RunCheckedAsync(file, arguments, TimeSpan.FromMinutes(2), workingDirectory: "/");

    /// <summary>Runs one statement on a database of this server and returns its first column of the first row.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
