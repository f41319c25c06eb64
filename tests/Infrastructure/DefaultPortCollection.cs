namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// Tests that start a gateway the README's way, on its default address (http://localhost:8000, the user guide's):
/// one at a time, since they share the port.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultPortCollection
{
    public const string Name = "default-port";
}
