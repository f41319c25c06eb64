using System.Text.Json.Serialization;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>The OAuth 2.0 Protected Resource Metadata document (RFC 9728 §2) this server serves about itself.</summary>
public sealed record ProtectedResourceMetadata(
    [property: JsonPropertyName("resource")] string Resource,
    [property: JsonPropertyName("authorization_servers")] string[] AuthorizationServers,
    [property: JsonPropertyName("scopes_supported")] string[] ScopesSupported,
    [property: JsonPropertyName("bearer_methods_supported")] string[] BearerMethodsSupported,
    [property: JsonPropertyName("resource_name")] string ResourceName);
