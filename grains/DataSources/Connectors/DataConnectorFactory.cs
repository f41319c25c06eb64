using System.Text.Json.Nodes;
using Mcp.Cluster.DataSources.Connectors.AzureBlob;
using Mcp.Cluster.DataSources.Connectors.Sqlite;
using Mcp.Cluster.DataSources.Connectors.Snowflake;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Models.Backends;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>Builds the connector for a source type from its (revealed) config.</summary>
public sealed class DataConnectorFactory(
    IOptions<McpClusterOptions> cluster, IOptions<DataSourceGrainOptions> options, BackendHttpClientFactory http, TimeProvider time)
{
    private readonly SqlitePathPolicy _sqlitePaths = new(cluster.Value.DataDirectory, options.Value.SqliteDirectory);
    private readonly ResultCaps _caps = ResultCaps.From(options.Value);

    public static readonly IReadOnlyList<string> Types = [PostgresConnector.TypeName, SqliteConnector.TypeName, SnowflakeConnector.TypeName, AzureBlobConnector.TypeName];

    /// <exception cref="DataSourceConfigException">The type is unknown or the config cannot work.</exception>
    public DataConnector Create(string type, JsonObject config, TimeSpan statementTimeout)
    {
        var settings = new ConnectorConfig(config);
        return type switch
        {
            PostgresConnector.TypeName => new PostgresConnector(settings, statementTimeout, _caps),
            SqliteConnector.TypeName => new SqliteConnector(settings, _sqlitePaths, statementTimeout, _caps),
            AzureBlobConnector.TypeName => new AzureBlobConnector(settings),
            SnowflakeConnector.TypeName => new SnowflakeConnector(settings, http.Create(maxRetries: 2), statementTimeout, time, _caps),
            _ => throw new DataSourceConfigException("type", $"Unknown data source type '{type}'. Use one of: {string.Join(", ", Types)}."),
        };
    }
}
