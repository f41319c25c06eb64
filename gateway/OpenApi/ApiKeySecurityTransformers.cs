using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Gateway.OpenApi;

/// <summary>
/// Declares the two ways to present a key (X-API-Key header, Bearer token) and marks each operation that needs one,
/// with the permission it needs, so Swagger UI's Authorize button and generated clients send keys where required.
/// </summary>
public static class ApiKeySecurityTransformers
{
    public const string HeaderScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    /// <summary>The permission an operation needs (read, write, execute or admin).</summary>
    public const string PermissionExtension = "x-required-permission";

    public static OpenApiOptions AddApiKeySecurity(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "MCP Cluster API";
            document.Info.Description = "Governed gateway for models and data sources. Authenticate with an API key in the X-API-Key header or as a Bearer token. Errors always have the shape {\"error\", \"detail\", \"timestamp\"}.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[HeaderScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationDefaults.HeaderName,
                Description = "API key (mcp_…) in the X-API-Key header.",
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "API key (mcp_…) as 'Authorization: Bearer <key>'.",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var requirement = context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiKeyRequirement>().LastOrDefault();
            if (requirement is null)
            {
                return Task.CompletedTask;
            }
            var document = context.Document;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
            if (requirement.AllowAnonymous)
            {
                operation.Security.Add(new OpenApiSecurityRequirement());
            }
            var permission = string.Join(", ", PermissionNames.ToNames(requirement.Permission));
            // Machine-readable beside the sentence below; the error examples (ErrorResponseTransformer) name it too.
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[PermissionExtension] = new JsonNodeExtension(JsonValue.Create(permission));
            operation.Description = $"{operation.Description}\n\nRequires permission: `{permission}`{(requirement.AllowAnonymous ? " (or no key, where self-service is enabled)" : "")}. Rate-limited per key; responses carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset.".Trim();
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Missing, unknown, expired or revoked API key (error: invalid_api_key)." });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key lacks the required permission (error: forbidden)." });
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Rate limit or quota exceeded (error: rate_limit_exceeded or quota_exceeded); see Retry-After." });
            return Task.CompletedTask;
        });
        return options;
    }
}
