using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.Models;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Secrets;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// The source grain's own connector (for schema discovery and health checks; reads use each silo's, see
/// <see cref="Execution.DataSourceRuntime"/>) and the connection settings it is built from: parsed, size-checked and
/// stored with secrets protected. Owned by the source's grain and only touched on its scheduler.
/// </summary>
public sealed class DataSourceConnection(
    string source,
    DataConnectorFactory connectors,
    ModelSecretProtector secrets,
    DataSourceGrainOptions options,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    public DataConnector? Connector { get; private set; }

    /// <summary>Why no connector could be built from the stored settings, if so.</summary>
    public string? Error { get; private set; }

    /// <summary>The settings of a new source, secrets protected for storing. Throws <see cref="ModelConfigException"/> or <see cref="DataSourceConfigException"/>.</summary>
    public JsonObject Protect(string configJson) => secrets.Protect(Parse(configJson));

    /// <summary>The stored settings with a JSON merge patch applied, new secrets protected. Throws like <see cref="Protect"/>.</summary>
    public JsonObject Patch(JsonObject stored, string patchJson) =>
        JsonMergePatch.Apply(stored, secrets.Protect(Parse(patchJson), previous: stored)) as JsonObject ?? new JsonObject();

    /// <summary>A connector from stored settings, not yet in use. Throws <see cref="ModelConfigException"/> or <see cref="DataSourceConfigException"/>.</summary>
    public DataConnector Create(string type, JsonObject stored) => connectors.Create(type, secrets.Reveal(stored), options.QueryTimeout);

    /// <summary>
    /// Makes the stored settings (<paramref name="settings"/> protects them) and a connector from them, not yet in use;
    /// bad settings come back as the admin's answer.
    /// </summary>
    public DataCommandResult? TryPrepare(string type, Func<JsonObject> settings, out JsonObject stored, out DataConnector connector)
    {
        try
        {
            stored = settings();
            connector = Create(type, stored);
            return null;
        }
        catch (ModelConfigException e)
        {
            (stored, connector) = (null!, null!);
            return DataCommandResult.Invalid(e.Message, e.Field);
        }
        catch (DataSourceConfigException e)
        {
            (stored, connector) = (null!, null!);
            return DataCommandResult.Invalid(e.Message, e.Field);
        }
    }

    /// <summary>Builds the connector an activation starts with; false (and <see cref="Error"/> set) when the stored settings cannot make one.</summary>
    public bool TryBuild(string type, JsonObject stored)
    {
        try
        {
            Use(Create(type, stored));
            return true;
        }
        catch (Exception e) when (e is ModelConfigException or DataSourceConfigException)
        {
            Connector = null;
            Error = e.Message;
            logger.LogError(e, "Data source {Source} cannot build its connector", source);
            return false;
        }
    }

    /// <summary>Uses <paramref name="connector"/> from now on; the one it replaces is disposed once work running on it is done.</summary>
    public void Use(DataConnector connector)
    {
        if (Connector is { } old && !ReferenceEquals(old, connector))
        {
            ConnectorRetirement.Retire(old, options.QueryTimeout, time);
        }
        Connector = connector;
        Error = null;
    }

    public static JsonObject Stored(DataSourceState state) => JsonNode.Parse(state.StoredConfig) as JsonObject ?? new JsonObject();

    public async ValueTask DisposeAsync()
    {
        if (Connector is { } connector)
        {
            await connector.DisposeAsync();
        }
    }

    private JsonObject Parse(string json)
    {
        if (json.Length > options.MaxConfigBytes)
        {
            throw new DataSourceConfigException("config", $"config is larger than {options.MaxConfigBytes} bytes.");
        }
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new DataSourceConfigException("config", "config must be an object.");
        }
        catch (JsonException e)
        {
            throw new DataSourceConfigException("config", $"config is not valid JSON: {e.Message}");
        }
    }
}
