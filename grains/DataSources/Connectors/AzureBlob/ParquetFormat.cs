using System.Collections;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Mcp.Cluster.DataSources.Connectors.AzureBlob;

/// <summary>Apache Parquet through Parquet.Net: the schema from the file's footer, rows through its untyped reader.</summary>
public sealed class ParquetFormat : TabularFormat
{
    public override string Name => "parquet";

    public override bool SchemaNeedsWholeFile => true;

    public override async Task<IReadOnlyList<ColumnSchema>> ReadSchemaAsync(Stream sample, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(sample, leaveStreamOpen: true, cancellationToken: cancellationToken);
        return reader.Schema.Fields.Select(field => new ColumnSchema(field.Name, Map(field), field is not DataField { IsNullable: false },
            field is DataField data ? Native(data) : field.SchemaType.ToString().ToLowerInvariant())).ToArray();
    }

    public override async Task ReadRowsAsync(Stream file, IReadOnlyList<ColumnSchema> columns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        var result = await ParquetSerializer.DeserializeUntypedAsync(file, new ParquetOptions(), cancellationToken: cancellationToken);
        foreach (var record in result.Data)
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = record.TryGetValue(columns[i].Name, out var value) ? Convert(value, columns[i].Type) : null;
            }
            rows.Add(row);
        }
    }

    private static DataType Map(Field field)
    {
        if (field is not DataField { IsArray: false } data)
        {
            return DataType.Json;
        }
        var type = Nullable.GetUnderlyingType(data.ClrType) ?? data.ClrType;
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte)
                || type == typeof(uint) || type == typeof(ushort) => DataType.Integer,
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) || type == typeof(ulong) => DataType.Decimal,
            _ when type == typeof(bool) => DataType.Boolean,
            _ when type == typeof(DateOnly) => DataType.Date,
            _ when type == typeof(DateTime) => data is DateTimeDataField { DateTimeFormat: DateTimeFormat.Date } ? DataType.Date : DataType.Datetime,
            _ when type == typeof(DateTimeOffset) => DataType.Datetime,
            _ when type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) => DataType.Binary,
            _ => DataType.Text,
        };
    }

    private static string Native(DataField field) =>
        field is DateTimeDataField dateTime ? dateTime.DateTimeFormat.ToString().ToLowerInvariant()
        : (Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType).Name.ToLowerInvariant();

    private static object? Convert(object? value, DataType type) => (type, value) switch
    {
        (_, null) => null,
        (DataType.Integer, IConvertible number) => System.Convert.ToInt64(number, System.Globalization.CultureInfo.InvariantCulture),
        (DataType.Decimal, float f) => (double)f,
        (DataType.Decimal, double d) => d,
        (DataType.Decimal, IConvertible number) => System.Convert.ToDecimal(number, System.Globalization.CultureInfo.InvariantCulture),
        (DataType.Date, DateTime moment) => DateOnly.FromDateTime(moment),
        (DataType.Date, DateOnly date) => date,
        (DataType.Datetime, DateTime moment) => new DateTimeOffset(DateTime.SpecifyKind(moment, moment.Kind == DateTimeKind.Local ? DateTimeKind.Local : DateTimeKind.Utc)).ToUniversalTime(),
        (DataType.Datetime, DateTimeOffset moment) => moment.ToUniversalTime(),
        (DataType.Boolean, bool flag) => flag,
        (DataType.Binary, byte[] bytes) => bytes,
        (DataType.Binary, ReadOnlyMemory<byte> bytes) => bytes.ToArray(),
        (DataType.Text, ReadOnlyMemory<char> chars) => chars.ToString(),
        (DataType.Text, string text) => text,
        (DataType.Json, IEnumerable and not string) => new RawJson(JsonSerializer.Serialize(value)),
        _ => System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
