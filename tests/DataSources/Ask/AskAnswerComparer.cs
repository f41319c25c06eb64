using System.Text.Json;
using Mcp.Cluster.Client;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>
/// Whether an answer to a question returned the rows the gold query returns: the same number of rows, and for each
/// gold row an equal row in the answer on the gold's columns (numbers within a small tolerance, objects and arrays
/// compared whole). Order counts only when the gold orders: then the answer's rows must carry the same sort keys in
/// the same sequence, and rows tied with the last one of a limited gold (which the limit cuts arbitrarily) need not be
/// the same rows. An aggregate column the answer named differently (<c>as</c>) is matched by its position among the
/// aggregates.
/// </summary>
public static class AskAnswerComparer
{
    private const double RelativeTolerance = 1e-6;
    private const double AbsoluteTolerance = 0.005;

    /// <summary>Null when the answer is right, else why not.</summary>
    public static string? Mismatch(DataQueryRequest gold, DataQueryResult expected, DataRowsResult actual, DataQueryRequest? actualQuery)
    {
        var goldColumns = expected.Columns.Select(c => c.Name).ToArray();
        var actualColumns = actual.Columns.Select(c => c.Name).ToArray();
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in goldColumns)
        {
            var mapped = actualColumns.Contains(column, StringComparer.Ordinal) ? column : AggregateCounterpart(column, gold, goldColumns, actualQuery, actualColumns);
            if (mapped is null)
            {
                return $"no column '{column}' in the answer (it has {string.Join(", ", actualColumns)})";
            }
            mapping[column] = mapped;
        }
        if (expected.Rows.Count != actual.Rows.Count)
        {
            return $"{actual.Rows.Count} rows, expected {expected.Rows.Count}";
        }

        var order = gold.OrderBy ?? [];
        var ordered = order.Count > 0;
        JsonElement?[]? boundary = null;
        if (ordered)
        {
            for (var i = 0; i < expected.Rows.Count; i++)
            {
                var want = SortKey(expected.Rows[i], order, c => c);
                var got = SortKey(actual.Rows[i], order, c => mapping.GetValueOrDefault(c, c));
                if (!KeysEqual(want, got))
                {
                    return $"row {i + 1} is out of order: sort key {Show(got)}, expected {Show(want)}";
                }
            }
            // Only a key the gold rows carry can tell ties apart; without it every row would look tied and pass unchecked.
            if (gold.Limit is { } limit && expected.Rows.Count == limit && expected.Rows.Count > 0
                && SortKey(expected.Rows[^1], order, c => c) is var last && last.All(k => k is not null))
            {
                boundary = last;
            }
        }

        var unused = actual.Rows.ToList();
        foreach (var row in expected.Rows)
        {
            if (boundary is not null && KeysEqual(SortKey(row, order, c => c), boundary))
            {
                continue;
            }
            var match = unused.FindIndex(candidate => goldColumns.All(c => ValuesEqual(Value(row, c), Value(candidate, mapping[c]))));
            if (match < 0)
            {
                return $"no row in the answer equals {Show(row, goldColumns)}";
            }
            unused.RemoveAt(match);
        }
        return null;
    }

    /// <summary>The answer's column for a gold aggregate column it named otherwise: the one at the same place among its aggregates.</summary>
    private static string? AggregateCounterpart(string column, DataQueryRequest gold, string[] goldColumns, DataQueryRequest? actualQuery, string[] actualColumns)
    {
        if (gold.Aggregates is not { Count: > 0 } || actualQuery?.Aggregates is not { Count: > 0 })
        {
            return null;
        }
        var goldAggregates = goldColumns.Where(c => gold.GroupBy?.Contains(c, StringComparer.Ordinal) != true).ToArray();
        var actualAggregates = actualColumns.Where(c => actualQuery.GroupBy?.Contains(c, StringComparer.Ordinal) != true).ToArray();
        var index = Array.IndexOf(goldAggregates, column);
        return index >= 0 && goldAggregates.Length == actualAggregates.Length ? actualAggregates[index] : null;
    }

    /// <summary>The values a row sorts by: <c>-salary_range.max</c> reads member <c>max</c> of column <c>salary_range</c>.</summary>
    private static JsonElement?[] SortKey(JsonElement row, IReadOnlyList<string> order, Func<string, string> column) =>
        order.Select(entry =>
        {
            var path = entry.TrimStart('-', '+').Split('.');
            if (!row.TryGetProperty(column(path[0]), out var value) && !row.TryGetProperty(column(string.Join('_', path)), out value))
            {
                return (JsonElement?)null;
            }
            foreach (var member in path.Skip(1))
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(member, out value))
                {
                    return null;
                }
            }
            return value;
        }).ToArray();

    private static bool KeysEqual(JsonElement?[] a, JsonElement?[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First is null || p.Second is null ? p.First is null && p.Second is null : ValuesEqual(p.First.Value, p.Second.Value));

    private static JsonElement Value(JsonElement row, string column) =>
        row.TryGetProperty(column, out var value) ? value : default;

    public static bool ValuesEqual(JsonElement a, JsonElement b)
    {
        var kindA = a.ValueKind == JsonValueKind.Undefined ? JsonValueKind.Null : a.ValueKind;
        var kindB = b.ValueKind == JsonValueKind.Undefined ? JsonValueKind.Null : b.ValueKind;
        if (kindA != kindB)
        {
            return false;
        }
        switch (kindA)
        {
            case JsonValueKind.Number:
                var x = a.GetDouble();
                var y = b.GetDouble();
                return Math.Abs(x - y) <= Math.Max(AbsoluteTolerance, RelativeTolerance * Math.Max(Math.Abs(x), Math.Abs(y)));
            case JsonValueKind.String:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => ValuesEqual(p.First, p.Second));
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                var right = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var other) && ValuesEqual(p.Value, other));
            default:
                return true;
        }
    }

    private static string Show(JsonElement?[] key) => "[" + string.Join(", ", key.Select(k => k?.GetRawText() ?? "missing")) + "]";

    private static string Show(JsonElement row, string[] columns) =>
        "{" + string.Join(", ", columns.Select(c => $"{c}: {(row.TryGetProperty(c, out var v) ? v.GetRawText() : "missing")}")) + "}";
}
