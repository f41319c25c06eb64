namespace Mcp.Cluster.Models.Backends;

public sealed record BackendHealth(bool Healthy, string? Detail = null)
{
    public static readonly BackendHealth Ok = new(true);

    public static BackendHealth Failed(string detail) => new(false, detail);
}
