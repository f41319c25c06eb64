namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// A config asks for something the caller may not do (only admins may): reference the silo's environment, point at
/// an internal address, or send a stored secret somewhere new. <see cref="Field"/> names the entry.
/// </summary>
public sealed class ConfigForbiddenException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
