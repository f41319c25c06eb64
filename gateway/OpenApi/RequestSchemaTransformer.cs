using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mcp.Cluster.Gateway.OpenApi;

/// <summary>
/// Describes request bodies as callers should write them. A request type (one that refuses unknown fields) lists the
/// properties marked <see cref="RequiredAttribute"/> under <c>required</c>, and its properties are shown with their
/// own type only: they are nullable in C# to tell "omitted" from a value, and a JSON null means the same as omitting
/// the field, so "null or integer" would only suggest a meaning null does not have. The handlers' validators still
/// decide; the attribute only documents what they require.
/// </summary>
public sealed class RequestSchemaTransformer : IOpenApiSchemaTransformer, IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo;
        if (context.JsonPropertyInfo is not null || type.UnmappedMemberHandling != JsonUnmappedMemberHandling.Disallow || schema.Properties is null)
        {
            return Task.CompletedTask;
        }
        foreach (var property in type.Properties)
        {
            if (property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true)
            {
                schema.Required ??= new HashSet<string>();
                schema.Required.Add(property.Name);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Nullable references (<c>oneOf: [null, $ref]</c>) are only written once the schema is a component, so the
    /// properties are rewritten here, on the finished components: request types are the ones refusing other fields.
    /// </summary>
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var schema in (document.Components?.Schemas?.Values ?? []).OfType<OpenApiSchema>())
        {
            if (schema.AdditionalPropertiesAllowed || schema.Properties is null)
            {
                continue;
            }
            foreach (var name in schema.Properties.Keys.ToArray())
            {
                schema.Properties[name] = WithoutNull(schema.Properties[name]);
            }
        }
        return Task.CompletedTask;
    }

    private static IOpenApiSchema WithoutNull(IOpenApiSchema property)
    {
        if (property is not OpenApiSchema inline)
        {
            return property;
        }
        if (inline.Type is { } type && type.HasFlag(JsonSchemaType.Null) && type != JsonSchemaType.Null)
        {
            inline.Type = type & ~JsonSchemaType.Null;
            return inline;
        }
        // A nullable object or reference is written as oneOf [null, the schema]: the schema alone remains.
        if (inline.OneOf is { Count: 2 } choices && choices.Count(IsNull) == 1)
        {
            return choices.Single(c => !IsNull(c));
        }
        return inline;
    }

    private static bool IsNull(IOpenApiSchema schema) => schema.Type == JsonSchemaType.Null;
}
