namespace Mcp.Cluster.Models.Backends;

/// <summary>A model's <c>config</c> is unusable; <see cref="Field"/> names the offending entry (e.g. <c>config.base_url</c>).</summary>
public sealed class ModelConfigException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
