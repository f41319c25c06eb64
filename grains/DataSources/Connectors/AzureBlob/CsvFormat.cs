using System.Text;

namespace Mcp.Cluster.DataSources.Connectors.AzureBlob;

/// <summary>RFC 4180 CSV with a header row: quoted fields, doubled quotes, CRLF or LF line ends. An empty cell is null.</summary>
public sealed class CsvFormat : TabularFormat
{
    private const int SampleRows = 1000;

    public override string Name => "csv";

    public override async Task<IReadOnlyList<ColumnSchema>> ReadSchemaAsync(Stream sample, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(sample, Encoding.UTF8);
        var records = Records(await reader.ReadToEndAsync(cancellationToken), dropIncompleteLast: true).Take(SampleRows + 1).ToList();
        if (records.Count == 0)
        {
            throw new InvalidDataException("The CSV file has no header row.");
        }
        var header = records[0];
        return header.Select((name, i) => new ColumnSchema(name.Trim(), ValueInference.Infer(records.Skip(1)
            .Where(r => i < r.Count && r[i].Length > 0).Select(r => r[i])), true, "csv")).ToArray();
    }

    public override async Task ReadRowsAsync(Stream file, IReadOnlyList<ColumnSchema> columns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(file, Encoding.UTF8);
        var records = Records(await reader.ReadToEndAsync(cancellationToken), dropIncompleteLast: false).GetEnumerator();
        if (!records.MoveNext())
        {
            return;
        }
        var header = records.Current.Select(h => h.Trim()).ToList();
        var positions = columns.Select(c => header.IndexOf(c.Name)).ToArray();
        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Count == 1 && record[0].Length == 0)
            {
                continue;
            }
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                var at = positions[i];
                if (at >= 0 && at < record.Count && record[at].Length > 0)
                {
                    // A value that does not fit the sampled type is kept as null rather than failing the whole table.
                    row[i] = ValueInference.TryConvert(record[at], columns[i].Type, out var value) ? value : null;
                }
            }
            rows.Add(row);
        }
    }

    /// <summary>Splits CSV text into records; a sample cut mid-record drops that last record.</summary>
    public static IEnumerable<List<string>> Records(string text, bool dropIncompleteLast)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }
                if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
                i++;
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n' or '\r':
                    record.Add(field.ToString());
                    field.Clear();
                    yield return record;
                    record = [];
                    break;
                default:
                    field.Append(c);
                    break;
            }
            i++;
        }
        if (!dropIncompleteLast && !quoted && (field.Length > 0 || record.Count > 0))
        {
            record.Add(field.ToString());
            yield return record;
        }
    }
}
