using System.Collections;
using System.Globalization;

namespace Mcp.Cluster.Tests.Infrastructure.State;

/// <summary>
/// Flattens what Orleans stores of an object into "path = value" lines, paths made of member <c>[Id]</c>s (so a renamed
/// property keeps its path) and collection positions or dictionary keys. Two objects with equal dumps store the same data;
/// a dump that contains an older dump's lines still holds everything the older one held.
/// </summary>
public static class StateDump
{
    public static SortedDictionary<string, string> Of(object? value)
    {
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(value, "$", lines);
        return lines;
    }

    private static void Walk(object? value, string path, SortedDictionary<string, string> lines)
    {
        switch (value)
        {
            case null:
                lines[path] = "null";
                return;
            case string s:
                lines[path] = s;
                return;
            case byte[] bytes:
                lines[path] = Convert.ToBase64String(bytes);
                return;
            case DateTimeOffset time:
                lines[path] = time.ToString("O", CultureInfo.InvariantCulture);
                return;
            case DateTime time:
                lines[path] = time.ToString("O", CultureInfo.InvariantCulture);
                return;
            case IFormattable formattable when value.GetType().IsPrimitive || value is Enum or decimal or TimeSpan or DateOnly or Guid:
                lines[path] = formattable.ToString(null, CultureInfo.InvariantCulture);
                return;
            case bool b:
                lines[path] = b ? "true" : "false";
                return;
            case IDictionary dictionary:
                lines[path] = $"dictionary of {dictionary.Count}";
                foreach (DictionaryEntry entry in dictionary)
                {
                    Walk(entry.Value, $"{path}[{Key(entry.Key)}]", lines);
                }
                return;
            case IEnumerable sequence:
                var i = 0;
                foreach (var item in sequence)
                {
                    Walk(item, $"{path}[{i++}]", lines);
                }
                lines[path] = $"sequence of {i}";
                return;
        }
        var members = StoredMembers.Of(value.GetType());
        if (members.Count == 0)
        {
            throw new InvalidOperationException($"{value.GetType()} at {path} has no [Id] members and is no known value type.");
        }
        lines[path] = "object";
        foreach (var member in members)
        {
            Walk(member.GetValue(value), $"{path}/{member.Id}", lines);
        }
    }

    private static string Key(object key) => key switch
    {
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => key.ToString() ?? "",
    };
}
