namespace Mcp.Cluster.Models.Backends;

/// <summary>Maps a registration's <c>provider</c> to the backend class that serves it.</summary>
public sealed record ModelBackendRegistration(string Provider, Type BackendType);
