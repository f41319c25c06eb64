using System.Text;
using System.Text.Json;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.DataSources;
using Mcp.Cluster.Gateway.Hosting;
using Mcp.Cluster.Gateway.Security;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Data sources as MCP resources: <c>datasource://{source}</c> is a source's schema as the key may see it, and
/// <c>datasource://{source}/{table}</c> (also a resource template) the table's first rows, read under the key's
/// grants and audited like any read.
/// </summary>
public sealed class DataResources(IGrainFactory grains, IOptions<McpOptions> options)
{
    public const string Scheme = "datasource://";
    private const string Json = "application/json";

    /// <summary>The schema of every source the key may read, as it may see it.</summary>
    public async Task<IReadOnlyList<DataSourceSchema>> ReadableSchemasAsync(ApiKeyPrincipal key)
    {
        var caller = DataSourceEndpoints.Caller(key);
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).GetNamesAsync();
        var schemas = await Task.WhenAll(names.Select(name => grains.GetGrain<IDataSourceGrain>(name).GetSchemaAsync(caller)));
        return schemas.OfType<DataSourceSchema>().ToArray();
    }

    public async Task<IReadOnlyList<Resource>> ListAsync(ApiKeyPrincipal key)
    {
        var resources = new List<Resource>();
        foreach (var schema in await ReadableSchemasAsync(key))
        {
            resources.Add(new Resource
            {
                Uri = Scheme + schema.Name, Name = schema.Name, MimeType = Json,
                Description = $"Tables and fields of data source '{schema.Name}' that this key may read.",
            });
            resources.AddRange(schema.Tables.Select(table => new Resource
            {
                Uri = $"{Scheme}{schema.Name}/{Uri.EscapeDataString(table.Name)}", Name = $"{schema.Name}.{table.Name}", MimeType = Json,
                Description = $"The first {options.Value.ResourceRows} rows of '{table.Name}' ({string.Join(", ", table.Columns.Select(c => c.Name))}).",
            }));
        }
        return resources;
    }

    public static IReadOnlyList<ResourceTemplate> Templates() =>
    [
        new ResourceTemplate
        {
            UriTemplate = Scheme + "{source}/{table}", Name = "data-source-table", MimeType = Json,
            Description = "The first rows of a table of a data source, read under the key's grants.",
        },
    ];

    public static bool Owns(string uri) => uri.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>Completes the template's <c>source</c> (sources the key may read) and <c>table</c> (that source's tables) arguments.</summary>
    public async Task<Completion> CompleteAsync(ApiKeyPrincipal key, string argument, string typed, IDictionary<string, string>? context)
    {
        var caller = DataSourceEndpoints.Caller(key);
        switch (argument)
        {
            case "source":
            {
                var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).GetNamesAsync();
                var readable = await Task.WhenAll(names.Select(async n => await grains.GetGrain<IDataSourceGrain>(n).CanReadAsync(caller) ? n : null));
                return Completions.From(readable.OfType<string>(), typed);
            }
            case "table" when context?.TryGetValue("source", out var source) == true && DataRequestReader.IsValidName(source):
            {
                var schema = await grains.GetGrain<IDataSourceGrain>(source).GetSchemaAsync(caller);
                return Completions.From(schema?.Tables.Select(t => t.Name) ?? [], typed);
            }
            default:
                return Completions.From([], typed);
        }
    }

    public async Task<ReadResourceResult> ReadAsync(ApiKeyPrincipal key, string uri)
    {
        var path = uri[Scheme.Length..];
        var slash = path.IndexOf('/');
        var source = slash < 0 ? path : path[..slash];
        if (!DataRequestReader.IsValidName(source))
        {
            throw new McpProtocolException($"Resource '{uri}' not found.", McpErrorCode.InvalidParams);
        }
        var caller = DataSourceEndpoints.Caller(key);
        var grain = grains.GetGrain<IDataSourceGrain>(source);
        string text;
        if (slash < 0)
        {
            var schema = await grain.GetSchemaAsync(caller)
                ?? throw new McpProtocolException($"Resource '{uri}' not found.", McpErrorCode.InvalidParams);
            text = JsonSerializer.Serialize(DataSourceSchemaResponse.From(schema), GatewayJson.Options);
        }
        else
        {
            var table = Uri.UnescapeDataString(path[(slash + 1)..]);
            var result = await grains.GetGrain<IDataSourceExecutorGrain>(source).QueryAsync(new DataQuery(table, null, [], [], options.Value.ResourceRows, 0), caller);
            if (result.Outcome != DataQueryOutcome.Ok)
            {
                throw new McpProtocolException($"Resource '{uri}' cannot be read: {result.Detail}",
                    result.Outcome is DataQueryOutcome.NotFound or DataQueryOutcome.Forbidden ? McpErrorCode.InvalidParams : McpErrorCode.InternalError);
            }
            text = new StringBuilder("{\"table\":").Append(JsonSerializer.Serialize(table)).Append(",\"rows\":")
                .Append(Encoding.UTF8.GetString(result.RowsJson!)).Append(",\"row_count\":").Append(result.RowCount).Append('}').ToString();
        }
        return new ReadResourceResult { Contents = [new TextResourceContents { Uri = uri, MimeType = Json, Text = text }] };
    }
}
