using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Mcp.Cluster.DataSources.InMemory;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Connectors.AzureBlob;

/// <summary>
/// Files in an Azure Blob Storage container as tables. Config: <c>container</c>, <c>prefix</c>, <c>account_url</c>
/// (default <c>https://{account_name}.blob.core.windows.net</c>), <c>account_name</c> with <c>account_key</c> (secret) or
/// <c>sas_token</c> (secret), <c>max_file_mb</c>, <c>max_table_rows</c>. A Parquet, CSV or JSON file directly under the
/// prefix is a table named after the file; a folder under the prefix is one table made of all its files (e.g. a
/// partitioned Parquet dataset), typed by its first file. Queries run in memory over the table's rows, which are
/// loaded once and loaded again when any of its files changes (checked by ETag on each read).
/// </summary>
public sealed class AzureBlobConnector : DataConnector
{
    public const string TypeName = "azure_blob";

    private const int TextSampleBytes = 1024 * 1024;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly long _maxFileBytes;
    private readonly int _maxTableRows;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private Dictionary<string, BlobTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoadedTable> _loaded = new(StringComparer.Ordinal);

    public AzureBlobConnector(ConnectorConfig config)
    {
        var container = config.String("container", required: true)!;
        _prefix = (config.String("prefix") ?? "").TrimStart('/');
        if (_prefix.Length > 0 && !_prefix.EndsWith('/'))
        {
            _prefix += "/";
        }
        var accountName = config.String("account_name");
        var accountKey = config.String("account_key");
        var sas = config.String("sas_token");
        var accountUrl = config.String("account_url") ?? (accountName is null ? null : $"https://{accountName}.blob.core.windows.net");
        _maxFileBytes = config.Int("max_file_mb", 256, 1, 4096) * 1024L * 1024L;
        _maxTableRows = config.Int("max_table_rows", 1_000_000, 1, 50_000_000);
        config.RefuseUnknown();
        if (accountUrl is null || !Uri.TryCreate(accountUrl.TrimEnd('/') + "/" + container, UriKind.Absolute, out var containerUri)
            || containerUri.Scheme is not ("https" or "http"))
        {
            throw new DataSourceConfigException("config.account_url", "config.account_url (or config.account_name) must give the storage account's http(s) URL.");
        }
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        if (accountKey is not null)
        {
            if (accountName is null)
            {
                throw new DataSourceConfigException("config.account_name", "config.account_name is required with config.account_key.");
            }
            try
            {
                _container = new BlobContainerClient(containerUri, new StorageSharedKeyCredential(accountName, accountKey), options);
            }
            catch (FormatException)
            {
                throw new DataSourceConfigException("config.account_key", "config.account_key is not a base64 storage account key.");
            }
        }
        else if (sas is not null)
        {
            _container = new BlobContainerClient(containerUri, new AzureSasCredential(sas.TrimStart('?')), options);
        }
        else
        {
            throw new DataSourceConfigException("config.account_key", "Give config.account_key (with config.account_name) or config.sas_token.");
        }
    }

    public override async Task<IReadOnlyList<TableSchema>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var groups = new SortedDictionary<string, List<BlobItem>>(StringComparer.Ordinal);
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, _prefix, cancellationToken))
        {
            var relative = blob.Name[_prefix.Length..];
            if (TabularFormat.ForBlob(relative) is null)
            {
                continue;
            }
            var slash = relative.IndexOf('/');
            var name = slash < 0 ? Path.GetFileNameWithoutExtension(relative) : relative[..slash];
            if (!groups.TryGetValue(name, out var files))
            {
                groups[name] = files = [];
            }
            files.Add(blob);
        }

        var tables = new Dictionary<string, BlobTable>(StringComparer.Ordinal);
        var schemas = new List<TableSchema>();
        foreach (var (name, files) in groups)
        {
            var first = files[0];
            var format = TabularFormat.ForBlob(first.Name)!;
            if (files.Any(f => TabularFormat.ForBlob(f.Name) != format))
            {
                // A folder mixing formats is skipped rather than read half-wrong.
                continue;
            }
            var columns = await ReadSchemaAsync(first, format, cancellationToken);
            var schema = new TableSchema(name, columns, ["blob", _prefix + name]);
            tables[name] = new BlobTable(schema, format, _prefix + (files.Count == 1 && !first.Name[_prefix.Length..].Contains('/') ? first.Name[_prefix.Length..] : name + "/"));
            schemas.Add(schema);
        }
        _tables = tables;
        return schemas;
    }

    private async Task<IReadOnlyList<ColumnSchema>> ReadSchemaAsync(BlobItem blob, TabularFormat format, CancellationToken cancellationToken)
    {
        var client = _container.GetBlobClient(blob.Name);
        if (format.SchemaNeedsWholeFile)
        {
            // A seekable stream that fetches ranges: Parquet reads only its footer.
            await using var stream = await client.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
            return await format.ReadSchemaAsync(stream, cancellationToken);
        }
        var length = Math.Min(TextSampleBytes, blob.Properties.ContentLength ?? TextSampleBytes);
        var download = await client.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(0, length) }, cancellationToken);
        using var sample = download.Value.Content.ToStream();
        var complete = length >= (blob.Properties.ContentLength ?? 0);
        // A complete small file is read as a whole; a sample may end mid-record, which the formats drop.
        return await format.ReadSchemaAsync(complete ? Terminated(sample) : sample, cancellationToken);
    }

    private static Stream Terminated(Stream sample)
    {
        var copy = new MemoryStream();
        sample.CopyTo(copy);
        if (copy.Length > 0 && copy.GetBuffer()[copy.Length - 1] != (byte)'\n')
        {
            copy.WriteByte((byte)'\n');
        }
        copy.Position = 0;
        return copy;
    }

    public override async Task CheckHealthAsync(CancellationToken cancellationToken) =>
        await _container.GetPropertiesAsync(cancellationToken: cancellationToken);

    // Like every source, a changed file shows in cached results once they expire (cache_ttl_seconds) or the source is refreshed.
    public override (PreparedRead? Read, QueryProblem? Problem) Prepare(DataQuery query, TableSchema table, QueryLimits limits) =>
        InMemoryQueryEngine.Prepare(query, table, limits, "blob");

    public override async Task<RowSet> ReadAsync(PreparedRead read, CancellationToken cancellationToken)
    {
        var query = (InMemoryRead)read;
        var rows = await RowsAsync(query.Table, cancellationToken);
        return InMemoryQueryEngine.Run(query, rows);
    }

    /// <summary>The table's rows, loaded again when any of its files changed (or appeared, or went away).</summary>
    private async Task<IReadOnlyList<object?[]>> RowsAsync(TableSchema table, CancellationToken cancellationToken)
    {
        if (!_tables.TryGetValue(table.Name, out var blobTable))
        {
            // The schema came from the source's grain: this connector (an executor's, on any silo) may not have listed
            // the container since it gained the table. List it once more before calling the table gone.
            await DiscoverAsync(cancellationToken);
            if (!_tables.TryGetValue(table.Name, out blobTable))
            {
                throw new InvalidOperationException($"Table '{table.Name}' is no longer in the container; refresh the source.");
            }
        }
        var files = new List<BlobItem>();
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, blobTable.Location, cancellationToken))
        {
            if (TabularFormat.ForBlob(blob.Name) == blobTable.Format && (blobTable.Location.EndsWith('/') || blob.Name == blobTable.Location))
            {
                files.Add(blob);
            }
        }
        var version = string.Join(",", files.Select(f => $"{f.Name}@{f.Properties.ETag}"));
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_loaded.TryGetValue(table.Name, out var current) && current.Version == version)
            {
                return current.Rows;
            }
            var rows = new List<object?[]>();
            foreach (var file in files)
            {
                if (file.Properties.ContentLength > _maxFileBytes)
                {
                    throw new InvalidOperationException($"Blob '{file.Name}' is {file.Properties.ContentLength / (1024 * 1024)} MB, over max_file_mb ({_maxFileBytes / (1024 * 1024)}).");
                }
                var content = await _container.GetBlobClient(file.Name).DownloadContentAsync(cancellationToken);
                using var stream = content.Value.Content.ToStream();
                await blobTable.Format.ReadRowsAsync(stream, table.Columns, rows, cancellationToken);
                if (rows.Count > _maxTableRows)
                {
                    throw new InvalidOperationException($"Table '{table.Name}' has more than max_table_rows ({_maxTableRows}) rows.");
                }
            }
            _loaded[table.Name] = new LoadedTable(version, rows);
            return rows;
        }
        finally
        {
            _loading.Release();
        }
    }

    public override ValueTask DisposeAsync()
    {
        _loading.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Where a table's files are: one blob, or every blob under a folder (ending in '/').</summary>
    private sealed record BlobTable(TableSchema Schema, TabularFormat Format, string Location);

    private sealed record LoadedTable(string Version, IReadOnlyList<object?[]> Rows);
}
