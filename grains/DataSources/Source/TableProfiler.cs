using System.Text.Json;
using Mcp.Cluster.DataSources.Connectors;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// Builds a <see cref="TableProfile"/> from a sample of rows: members of object fields (two levels deep) with their
/// value types, and the distinct values of text fields and text members when there are at most
/// <see cref="MaxValues"/> of them (names, statuses, cities: what people write in questions). Pure; the grain's
/// discovery feeds it rows.
/// </summary>
public static class TableProfiler
{
    public const int SampleRows = 500;
    public const int MaxValues = 50;
    public const int MaxValueLength = 100;
    private const int MaxMembers = 64;
    private const int MaxDepth = 2;

    public static TableProfile Profile(TableSchema table, RowSet rows)
    {
        var fields = new List<FieldProfile>();
        for (var c = 0; c < rows.Columns.Count; c++)
        {
            var column = rows.Columns[c];
            switch (column.Type)
            {
                case DataType.Text:
                    fields.Add(new FieldProfile(column.Name, DataType.Text, Categorical(rows.Rows.Select(r => r[c] as string))));
                    break;
                case DataType.Object or DataType.Json:
                    var members = new Dictionary<string, MemberSeen>(StringComparer.Ordinal);
                    foreach (var row in rows.Rows)
                    {
                        if (Parse(row[c]) is { ValueKind: JsonValueKind.Object } value)
                        {
                            Walk(column.Name, value, 1, members);
                        }
                    }
                    foreach (var (path, seen) in members.OrderBy(m => m.Key, StringComparer.Ordinal))
                    {
                        fields.Add(new FieldProfile(path, seen.Type ?? DataType.Json,
                            seen.Type == DataType.Text ? Categorical(seen.Texts) : null));
                    }
                    break;
            }
        }
        return new TableProfile(table.Name, rows.Rows.Count, fields);
    }

    private static void Walk(string prefix, JsonElement value, int depth, Dictionary<string, MemberSeen> members)
    {
        foreach (var property in value.EnumerateObject())
        {
            if (!IsMemberName(property.Name))
            {
                continue;
            }
            var path = prefix + "." + property.Name;
            if (!members.TryGetValue(path, out var seen))
            {
                if (members.Count >= MaxMembers)
                {
                    continue;
                }
                members[path] = seen = new MemberSeen();
            }
            var type = property.Value.ValueKind switch
            {
                JsonValueKind.String => DataType.Text,
                JsonValueKind.Number => property.Value.TryGetInt64(out _) ? DataType.Integer : DataType.Decimal,
                JsonValueKind.True or JsonValueKind.False => DataType.Boolean,
                JsonValueKind.Object => DataType.Object,
                JsonValueKind.Array => DataType.Array,
                _ => (DataType?)null,
            };
            if (type is { } t)
            {
                seen.Type = seen.Type is null || seen.Type == t ? t
                    : (seen.Type, t) is (DataType.Integer, DataType.Decimal) or (DataType.Decimal, DataType.Integer) ? DataType.Decimal
                    : DataType.Json;
            }
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                seen.Texts.Add(property.Value.GetString());
            }
            else if (property.Value.ValueKind == JsonValueKind.Object && depth < MaxDepth)
            {
                Walk(path, property.Value, depth + 1, members);
            }
        }
    }

    /// <summary>The members a query may name by path (the compiler's own rule is the one that decides; this only skips the others).</summary>
    private static bool IsMemberName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static IReadOnlyList<string>? Categorical(IEnumerable<string?> texts)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            if (text is null)
            {
                continue;
            }
            if (text.Length > MaxValueLength)
            {
                return null;
            }
            distinct.Add(text);
            if (distinct.Count > MaxValues)
            {
                return null;
            }
        }
        return distinct.Count == 0 ? null : distinct.Order(StringComparer.Ordinal).ToArray();
    }

    private static JsonElement? Parse(object? value)
    {
        var text = value switch
        {
            RawJson raw => raw.Json,
            string s => s,
            _ => null,
        };
        if (text is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class MemberSeen
    {
        public DataType? Type;
        public List<string?> Texts { get; } = [];
    }
}
