using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// Shape checks on registration and update bodies; provider config and schemas are checked by the model grain, names
/// and versions by <see cref="ModelName"/> and <see cref="ModelVersion"/>. Run by the endpoints' validation filters
/// (<see cref="RegisterModelValidator"/>, <see cref="ModelPatchValidator"/>).
/// </summary>
public static partial class ModelRequestValidator
{
    public const int MaxDescriptionLength = 2000;
    public const int MaxDataSources = 50;

    private static readonly HashSet<string> PatchFields = ["description", "input_schema", "output_schema", "config", "data_sources", "status", "provider"];
    private static readonly HashSet<string> ImmutableFields = ["name", "version", "model_type"];

    public static (ModelDefinition? Definition, JsonHttpResult<ApiError>? Error) Validate(RegisterModelRequest request)
    {
        // The name and version rules are the value types' (shared with the grains), reported as before.
        if (!ModelName.TryParse(request.Name, out var name, out var nameError))
        {
            return (null, ApiErrors.Validation(nameError, "name"));
        }
        var version = ModelVersion.Default;
        if (request.Version is not null && !ModelVersion.TryParse(request.Version, out version, out var versionError))
        {
            return (null, ApiErrors.Validation(versionError, "version"));
        }
        if (request.Description is { Length: > MaxDescriptionLength })
        {
            return (null, ApiErrors.Validation($"Field 'description' must be at most {MaxDescriptionLength} characters.", "description"));
        }
        // Without a provider the model is registered with no backend (predict answers 409 model_not_deployed until
        // PATCH attaches one), as the user guide registers its first model.
        if (request.Provider is { } named && !ProviderPattern().IsMatch(named.Trim()))
        {
            return (null, ApiErrors.Validation("Field 'provider' must name a provider (builtin, openai, huggingface, http) or be left out.", "provider"));
        }
        var provider = request.Provider?.Trim().ToLowerInvariant() ?? "";

        ModelType modelType;
        if (request.ModelType is null)
        {
            modelType = provider is "openai" or "huggingface" ? ModelType.ThirdParty : ModelType.Internal;
        }
        else if (!ModelNames.TryParse(request.ModelType, out modelType))
        {
            return (null, ApiErrors.Validation("Field 'model_type' must be 'internal' or 'third_party'.", "model_type"));
        }

        if (SchemaText(request.InputSchema, "input_schema") is { Error: { } inputError })
        {
            return (null, inputError);
        }
        if (SchemaText(request.OutputSchema, "output_schema") is { Error: { } outputError })
        {
            return (null, outputError);
        }
        var (sources, sourceError) = DataSources(request.DataSources, "data_sources");
        if (sourceError is not null)
        {
            return (null, sourceError);
        }
        string config;
        switch (request.Config)
        {
            case null:
                config = "{}";
                break;
            case { ValueKind: JsonValueKind.Object } element:
                config = element.GetRawText();
                break;
            default:
                return (null, ApiErrors.Validation("Field 'config' must be an object.", "config"));
        }

        return (new ModelDefinition(name, version, request.Description, modelType, provider,
            SchemaText(request.InputSchema, "input_schema").Text, SchemaText(request.OutputSchema, "output_schema").Text,
            sources!, config), null);
    }

    /// <summary>Reads a PATCH body; a field's presence matters, so it is read as a JSON object rather than bound.</summary>
    public static (ModelPatch? Patch, JsonHttpResult<ApiError>? Error) ValidatePatch(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, ApiErrors.Validation("The body must be a JSON object.", null));
        }
        var patch = new ModelPatch();
        foreach (var property in body.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (ImmutableFields.Contains(name))
            {
                return (null, ApiErrors.Validation($"Field '{name}' cannot be changed; register a new version instead.", name));
            }
            if (!PatchFields.Contains(name))
            {
                return (null, ApiErrors.Validation($"Unknown field '{name}'. Updatable fields: {string.Join(", ", PatchFields)}.", name));
            }
            switch (name)
            {
                case "description":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return (null, ApiErrors.Validation("Field 'description' must be a string or null.", name));
                    }
                    var description = value.ValueKind == JsonValueKind.Null ? null : value.GetString();
                    if (description is { Length: > MaxDescriptionLength })
                    {
                        return (null, ApiErrors.Validation($"Field 'description' must be at most {MaxDescriptionLength} characters.", name));
                    }
                    patch = patch with { SetDescription = true, Description = description };
                    break;
                case "input_schema" or "output_schema":
                {
                    var (text, error) = value.ValueKind == JsonValueKind.Null ? (null, null) : SchemaText(value, name);
                    if (error is not null)
                    {
                        return (null, error);
                    }
                    patch = name == "input_schema"
                        ? patch with { SetInputSchema = true, InputSchema = text }
                        : patch with { SetOutputSchema = true, OutputSchema = text };
                    break;
                }
                case "config":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        return (null, ApiErrors.Validation("Field 'config' must be an object (a JSON merge patch: null removes a setting).", name));
                    }
                    patch = patch with { ConfigMergePatch = value.GetRawText() };
                    break;
                case "data_sources":
                {
                    DataSourceRequest[]? requests;
                    try
                    {
                        requests = value.Deserialize<DataSourceRequest[]>(PatchJson);
                    }
                    catch (JsonException e)
                    {
                        return (null, ApiErrors.Validation($"Field 'data_sources' is invalid: {e.Message}", name));
                    }
                    var (sources, error) = DataSources(requests ?? [], name);
                    if (error is not null)
                    {
                        return (null, error);
                    }
                    patch = patch with { DataSources = sources };
                    break;
                }
                case "provider":
                    if (value.ValueKind != JsonValueKind.String || !ProviderPattern().IsMatch(value.GetString()!.Trim()))
                    {
                        return (null, ApiErrors.Validation("Field 'provider' must name a provider (builtin, openai, huggingface, http).", name));
                    }
                    patch = patch with { Provider = value.GetString() };
                    break;
                case "status":
                    if (value.ValueKind != JsonValueKind.String
                        || !ModelNames.TryParse<ModelStatus>(value.GetString(), out var status)
                        || status is not (ModelStatus.Active or ModelStatus.Maintenance))
                    {
                        return (null, ApiErrors.Validation("Field 'status' must be 'maintenance' (stop routing) or 'active' (resume).", name));
                    }
                    patch = patch with { Status = status };
                    break;
            }
        }
        return (patch, null);
    }

    private static readonly JsonSerializerOptions PatchJson = CreatePatchJson();

    private static JsonSerializerOptions CreatePatchJson()
    {
        var options = new JsonSerializerOptions();
        Hosting.GatewayHostingExtensions.ConfigureJson(options);
        return options;
    }

    private static (string? Text, JsonHttpResult<ApiError>? Error) SchemaText(JsonElement? schema, string field) => schema switch
    {
        null => (null, null),
        { ValueKind: JsonValueKind.Object } element => (element.GetRawText(), null),
        _ => (null, ApiErrors.Validation($"Field '{field}' must be a JSON Schema object.", field)),
    };

    private static (IReadOnlyList<ModelDataSource>? Sources, JsonHttpResult<ApiError>? Error) DataSources(DataSourceRequest[]? requests, string field)
    {
        if (requests is null)
        {
            return ([], null);
        }
        if (requests.Length > MaxDataSources)
        {
            return (null, ApiErrors.Validation($"Field '{field}' may list at most {MaxDataSources} data sources.", field));
        }
        var sources = new List<ModelDataSource>(requests.Length);
        for (var i = 0; i < requests.Length; i++)
        {
            var item = requests[i];
            var path = $"{field}[{i}]";
            if (item is null)
            {
                return (null, ApiErrors.Validation($"Item '{path}' must be an object.", path));
            }
            if (string.IsNullOrWhiteSpace(item.Name) || !SourceNamePattern().IsMatch(item.Name))
            {
                return (null, ApiErrors.Validation($"Field '{path}.name' must be 1-64 letters, digits, '.', '_' or '-'.", $"{path}.name"));
            }
            var access = item.AccessType ?? "read";
            if (access is not ("read" or "write" or "read_write"))
            {
                return (null, ApiErrors.Validation($"Field '{path}.access_type' must be 'read', 'write' or 'read_write'.", $"{path}.access_type"));
            }
            if (item.RequiredFields is { } fields && fields.Any(f => string.IsNullOrWhiteSpace(f) || f.Length > 128))
            {
                return (null, ApiErrors.Validation($"Field '{path}.required_fields' must hold non-empty names of at most 128 characters.", $"{path}.required_fields"));
            }
            if (sources.Any(s => s.Name == item.Name))
            {
                return (null, ApiErrors.Validation($"Data source '{item.Name}' is listed twice.", $"{path}.name"));
            }
            sources.Add(new ModelDataSource(item.Name, access, item.RequiredFields, item.SnowflakeTable));
        }
        return (sources, null);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex SourceNamePattern();

    // Only the shape of a name: which providers exist is the silo's to say (its answer names them).
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex ProviderPattern();
}
