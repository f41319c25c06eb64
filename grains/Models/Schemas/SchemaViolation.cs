namespace Mcp.Cluster.Models.Schemas;

/// <summary>Why a document does not satisfy a schema, and which field (null for the whole document).</summary>
public sealed record SchemaViolation(string Detail, string? Field);
