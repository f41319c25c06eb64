using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;

namespace Mcp.Cluster.Storage;

/// <summary>
/// Grain storage in a local SQLite file, for the single-node default that needs no external server.
/// Every write is a compare-and-swap on an integer etag, so a stale activation can never overwrite newer state.
/// </summary>
public sealed class SqliteGrainStorage(
    string name,
    SqliteStorageOptions options,
    IGrainStorageSerializer serializer,
    ILogger<SqliteGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IStorageHealthProbe
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = options.DatabasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string Name => $"sqlite:{name}";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<SqliteGrainStorage>(name), ServiceLifecycleStage.ApplicationServices, InitializeAsync);

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS grain_state (
                grain_type  TEXT    NOT NULL,
                grain_key   TEXT    NOT NULL,
                state_name  TEXT    NOT NULL,
                etag        INTEGER NOT NULL,
                payload     BLOB    NOT NULL,
                updated_at  TEXT    NOT NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            ) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
        logger.LogInformation("Grain storage {Name} ready at {Path}", name, Path.GetFullPath(options.DatabasePath));
    }, cancellationToken);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.Run(() =>
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, payload FROM grain_state WHERE grain_type = $type AND grain_key = $key AND state_name = $state";
        AddKey(command, stateName, grainId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        var etag = reader.GetInt64(0);
        var payload = (byte[])reader.GetValue(1);
        grainState.State = serializer.Deserialize<T>(new BinaryData(payload));
        grainState.ETag = etag.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    });

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialize on the calling (grain) thread so the bytes written are the state as of this call.
        var payload = serializer.Serialize(grainState.State).ToArray();
        var expected = ParseEtag(grainState.ETag);
        return Task.Run(() =>
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            if (expected is null)
            {
                command.CommandText = """
                    INSERT INTO grain_state (grain_type, grain_key, state_name, etag, payload, updated_at)
                    VALUES ($type, $key, $state, 1, $payload, $now)
                    ON CONFLICT DO NOTHING
                    """;
            }
            else
            {
                command.CommandText = """
                    UPDATE grain_state SET etag = etag + 1, payload = $payload, updated_at = $now
                    WHERE grain_type = $type AND grain_key = $key AND state_name = $state AND etag = $etag
                    """;
                command.Parameters.AddWithValue("$etag", expected.Value);
            }
            AddKey(command, stateName, grainId);
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O"));
            if (command.ExecuteNonQuery() != 1)
            {
                throw new InconsistentStateException(
                    $"Version conflict writing {stateName} of {grainId}: the stored record changed since it was read.",
                    storedEtag: "unknown", currentEtag: grainState.ETag ?? "none");
            }
            var next = (expected ?? 0) + 1;
            grainState.ETag = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        });
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ParseEtag(grainState.ETag);
        return Task.Run(() =>
        {
            if (expected is not null)
            {
                using var connection = Open();
                using var command = connection.CreateCommand();
                command.CommandText = "DELETE FROM grain_state WHERE grain_type = $type AND grain_key = $key AND state_name = $state AND etag = $etag";
                AddKey(command, stateName, grainId);
                command.Parameters.AddWithValue("$etag", expected.Value);
                if (command.ExecuteNonQuery() != 1)
                {
                    throw new InconsistentStateException(
                        $"Version conflict clearing {stateName} of {grainId}.", storedEtag: "unknown", currentEtag: grainState.ETag ?? "none");
                }
            }
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        });
    }

    public Task CheckAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM grain_state WHERE 0";
        command.ExecuteScalar();
    }, cancellationToken);

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous = {SynchronousMode(options.Synchronous)}; PRAGMA busy_timeout = 30000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private static string SynchronousMode(string value) => value.ToUpperInvariant() switch
    {
        "OFF" or "NORMAL" or "FULL" or "EXTRA" => value.ToUpperInvariant(),
        _ => throw new OptionsValidationException(nameof(SqliteStorageOptions), typeof(SqliteStorageOptions),
            [$"Storage:Synchronous must be OFF, NORMAL, FULL or EXTRA, not '{value}'."]),
    };

    private static void AddKey(SqliteCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.AddWithValue("$type", grainId.Type.ToString());
        command.Parameters.AddWithValue("$key", grainId.Key.ToString());
        command.Parameters.AddWithValue("$state", stateName);
    }

    private static long? ParseEtag(string? etag) =>
        etag is null ? null : long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture);
}
