using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcp.Cluster.Models.Backends;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Secrets;

/// <summary>
/// Keeps provider credentials in model configs safe. Any string under a secret-looking name (<c>api_key</c>,
/// <c>token</c>, <c>password</c>, <c>Authorization</c>, <c>*_key</c>, …, at any depth) is either an environment
/// reference <c>${NAME}</c>, kept as written and resolved on the silo when the backend starts, or a value, stored
/// only as <c>{"$encrypted": "…"}</c> produced by ASP.NET Core Data Protection. Callers only ever see a mask.
/// </summary>
public sealed partial class ModelSecretProtector(IDataProtectionProvider dataProtection, IOptions<ModelSecretOptions> options)
{
    public const string Mask = "********";
    private const string EncryptedProperty = "$encrypted";
    private const string ValidationPlaceholder = "__secret__";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Mcp.Cluster.Models.Secrets.v1");
    private readonly Regex[] _allowedVariables = options.Value.AllowedEnvironmentVariables
        .Select(p => new Regex("^" + Regex.Escape(p).Replace("\\*", ".*") + "$", RegexOptions.CultureInvariant))
        .ToArray();

    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>
    /// Encrypts secret values of a caller-supplied config. <paramref name="previous"/> (the stored config) supplies
    /// the value wherever the caller sent the mask back unchanged.
    /// </summary>
    /// <param name="allowReferences">
    /// Whether the caller may write <c>${NAME}</c> references (admins only: a reference reads the silo's environment).
    /// A reference identical to the stored one at the same place is a "keep", like the mask, and always allowed.
    /// </param>
    /// <exception cref="ModelConfigException">A reference names a variable that may not be used, or the config smuggles an encrypted blob.</exception>
    /// <exception cref="ConfigForbiddenException">A reference from a caller who may not write one.</exception>
    public JsonObject Protect(JsonObject config, JsonObject? previous = null, bool allowReferences = true, string path = "config")
    {
        var copy = (JsonObject)config.DeepClone();
        ProtectObject(copy, previous, path, allowReferences);
        return copy;
    }

    /// <summary>Where a stored config holds a secret (an encrypted value or a reference), as <c>config.a.b</c> paths.</summary>
    public static IReadOnlyList<string> StoredSecretPaths(JsonObject stored, string path = "config") =>
        [.. SecretPaths(stored, path, (name, value) =>
            value is JsonObject { Count: 1 } enc && enc.ContainsKey(EncryptedProperty)
            || value is JsonValue v && v.GetValueKind() == JsonValueKind.String && IsSecretName(name) && TryParseReference(v.GetValue<string>(), out _))];

    /// <summary>Where a caller-supplied config carries a secret's value itself (not the mask, not a reference).</summary>
    public static IReadOnlySet<string> SuppliedSecretPaths(JsonObject config, string path = "config") =>
        SecretPaths(config, path, (name, value) =>
            value is JsonValue v && v.GetValueKind() == JsonValueKind.String && IsSecretName(name)
            && v.GetValue<string>() is var text && text != Mask && !TryParseReference(text, out _))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The <c>config.a.b</c> paths, in document order, of the properties <paramref name="isSecret"/> picks; it is not asked below them.</summary>
    private static List<string> SecretPaths(JsonObject config, string path, Func<string, JsonNode?, bool> isSecret)
    {
        var paths = new List<string>();
        Collect(config, path);
        return paths;

        void Collect(JsonNode? node, string at)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj)
                    {
                        var field = $"{at}.{name}";
                        if (isSecret(name, value))
                        {
                            paths.Add(field);
                        }
                        else
                        {
                            Collect(value, field);
                        }
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Collect(item, at);
                    }
                    break;
            }
        }
    }

    /// <summary>The config with every stored secret replaced by <see cref="Mask"/>.</summary>
    public static JsonObject Masked(JsonObject stored) => Map(stored, _ => Mask, keepReferences: true);

    /// <summary>Secrets replaced by a placeholder, for checking a config's shape without decrypting anything.</summary>
    public static JsonObject Placeholders(JsonObject stored) => Map(stored, _ => ValidationPlaceholder, keepReferences: false);

    /// <summary>Secrets decrypted and references resolved, for building the backend.</summary>
    /// <exception cref="ModelConfigException">A referenced variable is unset or not allowed, or a value cannot be decrypted.</exception>
    public JsonObject Reveal(JsonObject stored)
    {
        var copy = (JsonObject)stored.DeepClone();
        RevealNode(copy, "config");
        return copy;
    }

    private void ProtectObject(JsonObject obj, JsonObject? previous, string path, bool allowReferences)
    {
        foreach (var (name, value) in obj.ToArray())
        {
            var field = $"{path}.{name}";
            if (name == EncryptedProperty)
            {
                throw new ModelConfigException(field, $"{field} is reserved.");
            }
            switch (value)
            {
                case JsonObject child:
                    ProtectObject(child, previous?[name] as JsonObject, field, allowReferences);
                    break;
                case JsonArray array:
                    foreach (var item in array.OfType<JsonObject>())
                    {
                        ProtectObject(item, null, field, allowReferences);
                    }
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String && IsSecretName(name):
                {
                    var text = v.GetValue<string>();
                    if (text == Mask)
                    {
                        obj[name] = previous?[name]?.DeepClone()
                            ?? throw new ModelConfigException(field, $"{field} is the mask '{Mask}' but no stored value exists; send the secret itself.");
                    }
                    else if (TryParseReference(text, out var variable))
                    {
                        var kept = previous?[name] is JsonValue stored && stored.GetValueKind() == JsonValueKind.String && stored.GetValue<string>() == text;
                        if (!allowReferences && !kept)
                        {
                            throw new ConfigForbiddenException(field,
                                $"{field} refers to the environment variable ${{{variable}}}; only admin keys may reference the silo's environment. Send the secret's value instead.");
                        }
                        EnsureAllowed(variable, field);
                    }
                    else
                    {
                        obj[name] = new JsonObject { [EncryptedProperty] = _protector.Protect(text) };
                    }
                    break;
                }
            }
        }
    }

    private void RevealNode(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToArray())
                {
                    var field = $"{path}.{name}";
                    if (value is JsonObject { Count: 1 } enc && enc[EncryptedProperty] is JsonValue cipher)
                    {
                        try
                        {
                            obj[name] = _protector.Unprotect(cipher.GetValue<string>());
                        }
                        catch (System.Security.Cryptography.CryptographicException e)
                        {
                            throw new ModelConfigException(field,
                                $"{field} cannot be decrypted ({e.Message}); the Data Protection key ring is missing or differs on this silo.");
                        }
                    }
                    else if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && IsSecretName(name)
                        && TryParseReference(v.GetValue<string>(), out var variable))
                    {
                        EnsureAllowed(variable, field);
                        obj[name] = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } resolved
                            ? resolved
                            : throw new ModelConfigException(field, $"{field} refers to ${{{variable}}}, which is not set (or empty) in this silo's environment.");
                    }
                    else
                    {
                        RevealNode(value, field);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RevealNode(item, path);
                }
                break;
        }
    }

    private static JsonObject Map(JsonObject stored, Func<string, string> replace, bool keepReferences)
    {
        var copy = (JsonObject)stored.DeepClone();
        MapNode(copy, replace, keepReferences);
        return copy;
    }

    private static void MapNode(JsonNode? node, Func<string, string> replace, bool keepReferences)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToArray())
                {
                    if (value is JsonObject { Count: 1 } enc && enc.ContainsKey(EncryptedProperty))
                    {
                        obj[name] = replace(name);
                    }
                    else if (!keepReferences && value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                        && IsSecretName(name) && TryParseReference(v.GetValue<string>(), out _))
                    {
                        obj[name] = replace(name);
                    }
                    else
                    {
                        MapNode(value, replace, keepReferences);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    MapNode(item, replace, keepReferences);
                }
                break;
        }
    }

    private void EnsureAllowed(string variable, string field)
    {
        if (variable.StartsWith("MCP_", StringComparison.OrdinalIgnoreCase) || !_allowedVariables.Any(r => r.IsMatch(variable)))
        {
            throw new ModelConfigException(field,
                $"{field} refers to ${{{variable}}}, which models may not read (allowed: {string.Join(", ", options.Value.AllowedEnvironmentVariables)}; never MCP_*).");
        }
    }

    private static bool TryParseReference(string text, out string variable)
    {
        var match = Reference().Match(text);
        variable = match.Success ? match.Groups[1].Value : "";
        return match.Success;
    }

    [GeneratedRegex(@"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?i)^(api[_-]?key|key|token|access[_-]?token|secret|client[_-]?secret|password|passwd|credentials?|authorization|x-api-key|.*[_-](key|token|secret|password))$")]
    private static partial Regex SecretName();
}
