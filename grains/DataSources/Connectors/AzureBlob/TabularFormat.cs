namespace Mcp.Cluster.DataSources.Connectors.AzureBlob;

/// <summary>
/// A file format a blob table can be in. Schemas come from the file itself (Parquet) or from a sample of its first
/// rows (CSV with a header row, JSON as an array of objects or one object per line); rows are read into the value
/// kinds of <see cref="RowSet"/>, typed by the schema.
/// </summary>
public abstract class TabularFormat
{
    public static readonly TabularFormat Parquet = new ParquetFormat();
    public static readonly TabularFormat Csv = new CsvFormat();
    public static readonly TabularFormat Json = new JsonFormat();

    public abstract string Name { get; }

    public static TabularFormat? ForBlob(string blobName)
    {
        var extension = Path.GetExtension(blobName).ToLowerInvariant();
        return extension switch
        {
            ".parquet" => Parquet,
            ".csv" => Csv,
            ".json" or ".jsonl" or ".ndjson" => Json,
            _ => null,
        };
    }

    /// <param name="sample">The whole file for Parquet (its footer holds the schema); the first bytes for text formats.</param>
    public abstract Task<IReadOnlyList<ColumnSchema>> ReadSchemaAsync(Stream sample, CancellationToken cancellationToken);

    /// <summary>Appends the file's rows, one value per schema column (missing columns are null).</summary>
    public abstract Task ReadRowsAsync(Stream file, IReadOnlyList<ColumnSchema> columns, List<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Whether reading the schema needs the whole file (seekable) rather than its first bytes.</summary>
    public virtual bool SchemaNeedsWholeFile => false;
}
