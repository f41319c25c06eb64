using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// Typed reads of a connector's config with errors that name the field. Unknown settings are refused so a typo
/// (<c>hots</c> for <c>host</c>) is an error at registration, not a silent default.
/// </summary>
public sealed class ConnectorConfig(JsonObject config)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public string? String(string name, bool required = false)
    {
        _read.Add(name);
        var node = config[name];
        if (node is null)
        {
            return required ? throw Missing(name) : null;
        }
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            throw new DataSourceConfigException(Field(name), $"{Field(name)} must be a string.");
        }
        var text = value.GetValue<string>();
        if (required && string.IsNullOrWhiteSpace(text))
        {
            throw Missing(name);
        }
        return text;
    }

    public int Int(string name, int fallback, int min, int max)
    {
        _read.Add(name);
        var node = config[name];
        if (node is null)
        {
            return fallback;
        }
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<int>(out var number))
        {
            throw new DataSourceConfigException(Field(name), $"{Field(name)} must be an integer.");
        }
        if (number < min || number > max)
        {
            throw new DataSourceConfigException(Field(name), $"{Field(name)} must be between {min} and {max}.");
        }
        return number;
    }

    public IReadOnlyList<string> Strings(string name, IReadOnlyList<string> fallback)
    {
        _read.Add(name);
        var node = config[name];
        if (node is null)
        {
            return fallback;
        }
        if (node is not JsonArray array || array.Count == 0 || array.Any(i => i is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            throw new DataSourceConfigException(Field(name), $"{Field(name)} must be a non-empty array of strings.");
        }
        return array.Select(i => i!.GetValue<string>()).ToArray();
    }

    /// <summary>Call after every read: refuses settings the connector does not know.</summary>
    public void RefuseUnknown()
    {
        foreach (var (name, _) in config)
        {
            if (!_read.Contains(name))
            {
                throw new DataSourceConfigException(Field(name), $"Unknown setting {Field(name)}.");
            }
        }
    }

    private static string Field(string name) => "config." + name;

    private static DataSourceConfigException Missing(string name) => new(Field(name), $"{Field(name)} is required.");
}
