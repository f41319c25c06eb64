using System.Text.Json.Nodes;
using Mcp.Cluster.DataSources.Connectors.AzureBlob;
using Mcp.Cluster.DataSources.Connectors.Snowflake;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Models.Backends;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>Builds the connector for a source type from its (revealed) config.</summary>
public sealed class DataConnectorFactory(IOptions<McpClusterOptions> cluster, BackendHttpClientFactory http, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Types = [PostgresConnector.TypeName, SqliteConnector.TypeName, SnowflakeConnector.TypeName, AzureBlobConnector.TypeName];

    /// <exception cref="DataSourceConfigException">The type is unknown or the config cannot work.</exception>
    public DataConnector Create(string type, JsonObject config, TimeSpan statementTimeout)
    {
        var settings = new ConnectorConfig(config);
        return type switch
        {
            PostgresConnector.TypeName => new PostgresConnector(settings, statementTimeout),
            SqliteConnector.TypeName => new SqliteConnector(settings, cluster.Value.DataDirectory, statementTimeout),
            AzureBlobConnector.TypeName => new AzureBlobConnector(settings),
            SnowflakeConnector.TypeName => new SnowflakeConnector(settings, http.Create(maxRetries: 2), statementTimeout, time),
            _ => throw new DataSourceConfigException("type", $"Unknown data source type '{type}'. Use one of: {string.Join(", ", Types)}."),
        };
    }
}
