using System.Globalization;
using System.Text.Json;

namespace Mcp.Cluster.DataSources.Connectors.Snowflake;

/// <summary>
/// Decodes the SQL API's <c>jsonv2</c> cells, which are strings whatever the type: NUMBER as decimal text, DATE as
/// days since the epoch, TIMESTAMP_* as seconds since the epoch (TIMESTAMP_TZ followed by the offset in minutes plus
/// 1440), BOOLEAN as true/false, BINARY as hex, VARIANT/OBJECT/ARRAY as JSON text.
/// </summary>
public static class SnowflakeValueReader
{
    public static object? Read(JsonElement cell, SnowflakeColumn column)
    {
        if (cell.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var text = cell.ValueKind == JsonValueKind.String ? cell.GetString()! : cell.GetRawText();
        switch (column.Type)
        {
            case "fixed" or "number" when column.Scale is null or 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                return integer;
            case "fixed" or "number" when decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number):
                return number;
            case "real" or "float" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real):
                return real;
            case "boolean":
                return text is "true" or "1" or "TRUE";
            case "date" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days):
                return DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)days);
            case "timestamp_ntz" or "timestamp_ltz":
                return FromEpochSeconds(text, TimeSpan.Zero);
            case "timestamp_tz":
            {
                var space = text.IndexOf(' ');
                var offset = space > 0 && int.TryParse(text[(space + 1)..], CultureInfo.InvariantCulture, out var encoded)
                    ? TimeSpan.FromMinutes(encoded - 1440)
                    : TimeSpan.Zero;
                return FromEpochSeconds(space > 0 ? text[..space] : text, offset);
            }
            case "time" when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds):
                return TimeOnly.FromTimeSpan(TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond))).ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            case "variant" or "object" or "array":
                return new RawJson(text);
            case "binary":
                return Convert.FromHexString(text);
            default:
                return text;
        }
    }

    private static object FromEpochSeconds(string text, TimeSpan offset)
    {
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return text;
        }
        var utc = DateTime.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return new DateTimeOffset(utc).ToOffset(offset);
    }
}
