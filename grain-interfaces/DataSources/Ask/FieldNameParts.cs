using System.Text;

namespace Mcp.Cluster.DataSources;

/// <summary>The lower-case words of a field or table name: <c>salary_range.max</c> → salary, range, max; <c>postedDate</c> → posted, date.</summary>
public static class FieldNameParts
{
    public static IReadOnlyList<string> Of(string name)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '_' or '.' or '-' or ' ')
            {
                Flush();
                continue;
            }
            if (char.IsUpper(c) && current.Length > 0 && char.IsLower(name[i - 1]))
            {
                Flush();
            }
            current.Append(char.ToLowerInvariant(c));
        }
        Flush();
        return parts;

        void Flush()
        {
            if (current.Length > 0)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
        }
    }
}
