using System.Globalization;
using System.Text.Json;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>Turns a filter's JSON value into the CLR value its column's type binds as, or says why it cannot.</summary>
public static class FilterValueReader
{
    public static bool TryRead(JsonElement json, ColumnSchema column, QueryLimits limits, out object value, out string? problem)
    {
        value = null!;
        problem = null;
        switch (column.Type)
        {
            case DataType.Text when json.ValueKind == JsonValueKind.String:
                var text = json.GetString()!;
                if (text.Length > limits.MaxValueLength)
                {
                    problem = $"Values are limited to {limits.MaxValueLength} characters.";
                    return false;
                }
                value = text;
                return true;
            case DataType.Integer when json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var integer):
                value = integer;
                return true;
            case DataType.Decimal when json.ValueKind == JsonValueKind.Number && json.TryGetDecimal(out var number):
                value = number;
                return true;
            case DataType.Boolean when json.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = json.GetBoolean();
                return true;
            case DataType.Date when json.ValueKind == JsonValueKind.String
                && DateOnly.TryParseExact(json.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                value = date;
                return true;
            case DataType.Datetime when json.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(json.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment):
                value = moment.ToUniversalTime();
                return true;
            case DataType.Json or DataType.Object or DataType.Array or DataType.Binary:
                problem = $"Field '{column.Name}' ({Describe(column.Type)}) can only be filtered with is_null.";
                return false;
            default:
                problem = json.ValueKind == JsonValueKind.Null
                    ? $"Use {{\"is_null\": true}} to match a missing '{column.Name}'."
                    : $"Field '{column.Name}' is {Describe(column.Type)}; {Describe(json)} does not match it.";
                return false;
        }
    }

    public static string Describe(DataType type) => type switch
    {
        DataType.Text => "text",
        DataType.Integer => "an integer",
        DataType.Decimal => "a number",
        DataType.Boolean => "a boolean",
        DataType.Date => "a date (yyyy-MM-dd; eq also takes a period such as last_6m, today or this_month)",
        DataType.Datetime => "a datetime (ISO 8601; eq also takes a period such as last_6m, today or this_month)",
        DataType.Json => "structured",
        DataType.Object => "an object",
        DataType.Array => "an array",
        _ => "binary",
    };

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
