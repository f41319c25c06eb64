namespace Mcp.Cluster.Models.Schemas;

/// <summary>A registered schema is unusable; <see cref="Field"/> says which one (<c>input_schema</c> or <c>output_schema</c>).</summary>
public sealed class SchemaException(string problem, string? field = null) : Exception(problem)
{
    public string? Field { get; } = field;
}
