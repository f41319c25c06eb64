namespace Mcp.Cluster.Client;

/// <summary>A readable field: its type (<c>text</c>, <c>integer</c>, <c>object</c>…) and mask, if any.</summary>
public sealed record DataField(string Name, string Type, bool Nullable, string? NativeType, string? Mask);
