using System.Text.Json.Serialization.Metadata;

namespace Mcp.Cluster.Gateway.Errors;

/// <summary>
/// Follows a System.Text.Json path (<c>$.config.base_url</c>, <c>$.inputs[0].x</c>, <c>$['odd name']</c>) through a body
/// type's contract, to tell a field the type does not have (unknown) from one it has but could not read (wrong type).
/// </summary>
public static class JsonBodyPath
{
    /// <summary>The name of the path's last member when the object holding it declares no such member; otherwise null.</summary>
    public static string? UnknownMember(JsonTypeInfo root, string path)
    {
        var type = root;
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            string? member;
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                member = path[(i + 1)..end];
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }
                member = path[(i + 2)..end];
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || type.Kind != JsonTypeInfoKind.Enumerable || type.ElementType is null)
                {
                    return null;
                }
                type = type.Options.GetTypeInfo(type.ElementType);
                i = end + 1;
                continue;
            }
            else
            {
                return null;
            }

            switch (type.Kind)
            {
                case JsonTypeInfoKind.Dictionary when type.ElementType is not null:
                    type = type.Options.GetTypeInfo(type.ElementType);
                    break;
                case JsonTypeInfoKind.Object when type.PolymorphismOptions is null:
                    var property = Find(type, member);
                    if (property is null)
                    {
                        return i >= path.Length ? member : null;
                    }
                    type = type.Options.GetTypeInfo(property.PropertyType);
                    break;
                default:
                    return null;
            }
        }
        return null;
    }

    private static JsonPropertyInfo? Find(JsonTypeInfo type, string name)
    {
        var comparison = type.Options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var property in type.Properties)
        {
            if (string.Equals(property.Name, name, comparison))
            {
                return property;
            }
        }
        return null;
    }
}
