using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.DataSources.Connectors.AzureBlob;

/// <summary>
/// JSON as an array of objects, or one object per line (JSON Lines). Columns are the keys of the sampled objects in
/// the order first seen; numbers are integer or number, nested objects and arrays are structured values, and strings
/// that all look like dates or timestamps are typed as such.
/// </summary>
public sealed class JsonFormat : TabularFormat
{
    private const int SampleRows = 1000;

    public override string Name => "json";

    public override async Task<IReadOnlyList<ColumnSchema>> ReadSchemaAsync(Stream sample, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(sample);
        var objects = Objects(await reader.ReadToEndAsync(cancellationToken), sampleOnly: true).Take(SampleRows).ToList();
        var names = new List<string>();
        foreach (var name in objects.SelectMany(o => o.Select(p => p.Key)))
        {
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }
        return names.Select(name => new ColumnSchema(name, Infer(objects.Select(o => o[name]).Where(v => v is not null)!), true, "json")).ToArray();
    }

    private static DataType Infer(IEnumerable<JsonNode> values)
    {
        var kinds = values.Select(v => v.GetValueKind()).Distinct().ToList();
        if (kinds.Count == 0)
        {
            return DataType.Text;
        }
        if (kinds.All(k => k is JsonValueKind.True or JsonValueKind.False))
        {
            return DataType.Boolean;
        }
        if (kinds.All(k => k == JsonValueKind.Number))
        {
            return values.All(v => v.AsValue().TryGetValue<long>(out _)) ? DataType.Integer : DataType.Decimal;
        }
        if (kinds.All(k => k == JsonValueKind.String))
        {
            var inferred = ValueInference.Infer(values.Select(v => v.GetValue<string>()));
            // Numeric-looking strings stay text: the file chose to quote them.
            return inferred is DataType.Date or DataType.Datetime ? inferred : DataType.Text;
        }
        return DataType.Json;
    }

    public override async Task ReadRowsAsync(Stream file, IReadOnlyList<ColumnSchema> columns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(file);
        foreach (var item in Objects(await reader.ReadToEndAsync(cancellationToken), sampleOnly: false))
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = Convert(item[columns[i].Name], columns[i].Type);
            }
            rows.Add(row);
        }
    }

    private static object? Convert(JsonNode? node, DataType type)
    {
        if (node is null)
        {
            return null;
        }
        var kind = node.GetValueKind();
        return (type, kind) switch
        {
            (DataType.Json, _) => new RawJson(node.ToJsonString()),
            (DataType.Boolean, JsonValueKind.True or JsonValueKind.False) => node.GetValue<bool>(),
            (DataType.Integer, JsonValueKind.Number) when node.AsValue().TryGetValue<long>(out var integer) => integer,
            (DataType.Decimal or DataType.Integer, JsonValueKind.Number) when node.AsValue().TryGetValue<decimal>(out var number) => number,
            (DataType.Text, JsonValueKind.String) => node.GetValue<string>(),
            (DataType.Text, _) => node.ToJsonString(),
            (_, JsonValueKind.String) when ValueInference.TryConvert(node.GetValue<string>(), type, out var value) => value,
            _ => null,
        };
    }

    private static IEnumerable<JsonObject> Objects(string text, bool sampleOnly)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('['))
        {
            JsonArray? array = null;
            try
            {
                array = JsonNode.Parse(trimmed) as JsonArray;
            }
            catch (JsonException) when (sampleOnly)
            {
                // A sample cut in the middle of a large array: read the complete objects before the cut.
                array = PrefixOfArray(trimmed);
            }
            foreach (var item in array ?? [])
            {
                if (item is JsonObject obj)
                {
                    yield return obj;
                }
            }
            yield break;
        }
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || (sampleOnly && i == lines.Length - 1 && !text.EndsWith('\n')))
            {
                continue;
            }
            if (JsonNode.Parse(line) is JsonObject obj)
            {
                yield return obj;
            }
        }
    }

    private static JsonArray PrefixOfArray(string text)
    {
        var result = new JsonArray();
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, default);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var start = (int)reader.TokenStartIndex;
                if (!reader.TrySkip())
                {
                    break;
                }
                if (JsonNode.Parse(bytes.AsSpan(start, (int)reader.BytesConsumed - start)) is JsonObject obj)
                {
                    result.Add(obj);
                }
            }
        }
        catch (JsonException)
        {
            // The cut: everything complete before it is in the result.
        }
        return result;
    }
}
