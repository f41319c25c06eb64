using System.Text;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// Counts what one read has produced so far and stops it as soon as it goes over its caps, so an oversized result is
/// refused while it streams instead of being held in memory first. Sizes are what the JSON answer will roughly take:
/// UTF-8 text, base64 binary, a small constant for other values, plus each field name.
/// </summary>
public sealed class ResultBudget(ResultCaps caps)
{
    private long _bytes;

    public long Bytes => _bytes;

    /// <summary>Counts one value of the column <paramref name="name"/>.</summary>
    /// <exception cref="ResultTooLargeException">The value or the result so far is over its cap.</exception>
    public void Add(string name, object? value)
    {
        long size = value switch
        {
            null => 4,
            string text => text.Length > caps.MaxValueBytes ? long.MaxValue : Encoding.UTF8.GetByteCount(text),
            byte[] bytes => (bytes.LongLength + 2) / 3 * 4,
            RawJson json => json.Json.Length > caps.MaxValueBytes ? long.MaxValue : Encoding.UTF8.GetByteCount(json.Json),
            _ => 24,
        };
        if (size > caps.MaxValueBytes)
        {
            throw new ResultTooLargeException(
                $"A value of '{name}' is larger than the {caps.MaxValueBytes} bytes one value may take. Select less of it (e.g. substr or length).");
        }
        _bytes += size + name.Length + 4;
        if (_bytes > caps.MaxBytes)
        {
            throw new ResultTooLargeException(
                $"The result is larger than the {caps.MaxBytes} bytes one read may return. Select fewer rows or columns, or aggregate.");
        }
    }
}
