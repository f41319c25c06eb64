using System.Globalization;

namespace Mcp.Cluster.DataSources.Connectors.AzureBlob;

/// <summary>
/// Infers a column's type from sample text values (CSV cells, JSON strings) and converts values to it. The narrowest
/// type every sampled value fits wins: integer, number, boolean, date (yyyy-MM-dd), timestamp (ISO 8601), else text.
/// </summary>
public static class ValueInference
{
    public static DataType Infer(IEnumerable<string> samples)
    {
        var candidates = new[] { DataType.Integer, DataType.Decimal, DataType.Boolean, DataType.Date, DataType.Datetime }.ToList();
        var any = false;
        foreach (var sample in samples)
        {
            any = true;
            candidates.RemoveAll(type => TryConvert(sample, type, out _) is false);
            if (candidates.Count == 0)
            {
                return DataType.Text;
            }
        }
        return any ? candidates[0] : DataType.Text;
    }

    public static bool TryConvert(string text, DataType type, out object? value)
    {
        value = null;
        switch (type)
        {
            case DataType.Integer when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                value = integer;
                return true;
            case DataType.Decimal when decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var number):
                value = number;
                return true;
            case DataType.Boolean when text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase):
                value = text.Equals("true", StringComparison.OrdinalIgnoreCase);
                return true;
            case DataType.Date when text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                value = date;
                return true;
            case DataType.Datetime when text.Length >= 16 && text[4] == '-' && text[10] is 'T' or ' '
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment):
                value = moment.ToUniversalTime();
                return true;
            case DataType.Text:
                value = text;
                return true;
            default:
                return false;
        }
    }
}
