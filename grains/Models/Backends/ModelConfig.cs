using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// Typed, validated reads of a model's <c>config</c> object. Every read is remembered so that fields nobody read
/// (typos such as <c>provider_modle</c>) can be reported instead of silently ignored.
/// </summary>
public sealed class ModelConfig(JsonObject values)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Uri> _targets = new(StringComparer.Ordinal);

    public JsonObject Values => values;

    /// <summary>Top-level fields that no reader asked for.</summary>
    public IEnumerable<string> UnreadFields => values.Select(p => p.Key).Where(k => !_read.Contains(k));

    /// <summary>
    /// Every URL a backend read (by setting name, defaults included): where its requests go, which the model grain
    /// holds to the outbound policy. Reading URLs only through <see cref="GetUri"/> and <see cref="GetBaseUri"/>
    /// keeps a new backend under that policy without further code.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> Targets => _targets;

    public bool Has(string name)
    {
        _read.Add(name);
        return values[name] is not null;
    }

    public string? GetString(string name)
    {
        _read.Add(name);
        return values[name] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => throw Invalid(name, "must be a string"),
        };
    }

    public string RequireString(string name) =>
        GetString(name) is { Length: > 0 } value ? value : throw Invalid(name, "is required");

    /// <summary>An absolute http(s) URL; a trailing slash is added so relative paths append rather than replace.</summary>
    public Uri? GetBaseUri(string name, string? fallback = null)
    {
        var text = GetString(name) ?? fallback;
        if (text is null)
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid(name, "must be an absolute http or https URL");
        }
        var target = text.EndsWith('/') ? uri : new Uri(text + "/");
        _targets[name] = target;
        return target;
    }

    public Uri? GetUri(string name)
    {
        var text = GetString(name);
        if (text is null)
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid(name, "must be an absolute http or https URL");
        }
        _targets[name] = uri;
        return uri;
    }

    public int? GetInt(string name, int min, int max)
    {
        _read.Add(name);
        var node = values[name];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n))
        {
            return n >= min && n <= max ? n : throw Invalid(name, $"must be between {min} and {max}");
        }
        throw Invalid(name, "must be an integer");
    }

    public double? GetDouble(string name, double min, double max)
    {
        _read.Add(name);
        var node = values[name];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            var d = v.GetValue<double>();
            return d >= min && d <= max
                ? d
                : throw Invalid(name, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"));
        }
        throw Invalid(name, "must be a number");
    }

    public bool? GetBool(string name)
    {
        _read.Add(name);
        return values[name] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            _ => throw Invalid(name, "must be true or false"),
        };
    }

    /// <summary>An object of string values, e.g. extra HTTP headers.</summary>
    public IReadOnlyDictionary<string, string> GetStringMap(string name)
    {
        _read.Add(name);
        var node = values[name];
        if (node is null)
        {
            return new Dictionary<string, string>();
        }
        if (node is not JsonObject obj)
        {
            throw Invalid(name, "must be an object of strings");
        }
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in obj)
        {
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                throw Invalid($"{name}.{key}", "must be a string");
            }
            map[key] = v.GetValue<string>();
        }
        return map;
    }

    /// <summary>Extra HTTP headers, each checked by <see cref="OutboundHeaders"/> so none can split or reroute a request.</summary>
    public IReadOnlyDictionary<string, string> GetHeaders(string name)
    {
        var headers = GetStringMap(name);
        foreach (var (header, value) in headers)
        {
            if (OutboundHeaders.Problem(header, value) is { } problem)
            {
                throw Invalid($"{name}.{header}", problem);
            }
        }
        return headers;
    }

    /// <summary>A free-form object passed through to the provider (e.g. extra generation parameters).</summary>
    public JsonObject? GetObject(string name)
    {
        _read.Add(name);
        return values[name] switch
        {
            null => null,
            JsonObject obj => obj,
            _ => throw Invalid(name, "must be an object"),
        };
    }

    public IReadOnlyList<string>? GetStringList(string name)
    {
        _read.Add(name);
        var node = values[name];
        if (node is null)
        {
            return null;
        }
        if (node is not JsonArray array)
        {
            throw Invalid(name, "must be an array of strings");
        }
        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                throw Invalid(name, "must be an array of strings");
            }
            list.Add(v.GetValue<string>());
        }
        return list;
    }

    public static ModelConfigException Invalid(string name, string problem) =>
        new($"config.{name}", $"config.{name} {problem}.");
}
