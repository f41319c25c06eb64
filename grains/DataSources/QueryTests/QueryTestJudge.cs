using System.Text.Json;

namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>
/// Compares a run's answer with a test's expectation, in words an admin can act on. Pure. Expected rows are compared
/// on the fields each names (JSON values, so 1 and 1.0 are equal), as a whole: every expected row must be there and
/// no other; in order only when the query orders its rows.
/// </summary>
public static class QueryTestJudge
{
    /// <summary>Failures listed at most; the rest are counted in one last line.</summary>
    public const int MaxFailures = 20;

    private const int MaxRowText = 300;

    public static IReadOnlyList<string> Judge(DataQueryExpectation expect, bool ordered, ReadOnlyMemory<byte> rowsJson, int rowCount, double elapsedMs)
    {
        var failures = new List<string>();
        if (expect.RowCount is { } count && count != rowCount)
        {
            failures.Add($"row_count {rowCount}, expected {count}");
        }
        if (expect.RowsJson is { } expectedJson)
        {
            using var expectedDocument = JsonDocument.Parse(expectedJson);
            using var actualDocument = JsonDocument.Parse(rowsJson.IsEmpty ? "[]"u8.ToArray() : rowsJson);
            var expected = expectedDocument.RootElement.EnumerateArray().ToArray();
            var actual = actualDocument.RootElement.EnumerateArray().ToArray();
            var fields = expected.SelectMany(e => e.EnumerateObject().Select(p => p.Name)).ToHashSet(StringComparer.Ordinal);
            if (ordered)
            {
                for (var i = 0; i < Math.Max(expected.Length, actual.Length); i++)
                {
                    if (i >= actual.Length)
                    {
                        failures.Add($"missing row {Text(expected[i])} (expected at position {i + 1})");
                    }
                    else if (i >= expected.Length)
                    {
                        failures.Add($"unexpected row {Project(actual[i], fields)} at position {i + 1}");
                    }
                    else if (!Matches(actual[i], expected[i]))
                    {
                        failures.Add($"row {i + 1} is {Project(actual[i], fields)}, expected {Text(expected[i])}");
                    }
                }
            }
            else
            {
                var used = new bool[actual.Length];
                foreach (var row in expected)
                {
                    var match = -1;
                    for (var i = 0; i < actual.Length; i++)
                    {
                        if (!used[i] && Matches(actual[i], row))
                        {
                            match = i;
                            break;
                        }
                    }
                    if (match < 0)
                    {
                        failures.Add($"missing row {Text(row)}");
                    }
                    else
                    {
                        used[match] = true;
                    }
                }
                for (var i = 0; i < actual.Length; i++)
                {
                    if (!used[i])
                    {
                        failures.Add($"unexpected row {Project(actual[i], fields)}");
                    }
                }
            }
        }
        if (expect.MaxMs is { } max && elapsedMs > max)
        {
            failures.Add($"took {elapsedMs:0} ms, expected at most {max} ms");
        }
        if (failures.Count > MaxFailures)
        {
            var more = failures.Count - MaxFailures;
            failures.RemoveRange(MaxFailures, more);
            failures.Add($"… and {more} more");
        }
        return failures;
    }

    /// <summary>Why <paramref name="rowsJson"/> cannot be expected rows (a JSON array of at most so many objects), or null.</summary>
    public static string? RowsProblem(string rowsJson)
    {
        try
        {
            using var document = JsonDocument.Parse(rowsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.Object))
            {
                return "Expected rows must be a list of objects (field: value).";
            }
            return document.RootElement.GetArrayLength() > DataQueryTestLimits.MaxExpectedRows
                ? $"A test expects at most {DataQueryTestLimits.MaxExpectedRows} rows."
                : null;
        }
        catch (JsonException)
        {
            return "Expected rows must be a JSON list of objects.";
        }
    }

    private static bool Matches(JsonElement actual, JsonElement expected)
    {
        if (actual.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        foreach (var field in expected.EnumerateObject())
        {
            if (!actual.TryGetProperty(field.Name, out var value) || !JsonElement.DeepEquals(value, field.Value))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The row with only the fields the expected rows name (all when they name none), so messages stay to the point.</summary>
    private static string Project(JsonElement row, HashSet<string> fields)
    {
        if (fields.Count == 0 || row.ValueKind != JsonValueKind.Object)
        {
            return Text(row);
        }
        var kept = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in row.EnumerateObject())
        {
            if (fields.Contains(property.Name))
            {
                kept[property.Name] = property.Value;
            }
        }
        return Cap(JsonSerializer.Serialize(kept));
    }

    private static string Text(JsonElement element) => Cap(element.GetRawText());

    private static string Cap(string text) => text.Length <= MaxRowText ? text : text[..(MaxRowText - 1)] + "…";
}
