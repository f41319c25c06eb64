namespace Mcp.Cluster.Client;

/// <summary>A column of an answer: its name, type (<c>text</c>, <c>integer</c>, <c>decimal</c>, <c>datetime</c>, <c>object</c>…) and mask, if any.</summary>
public sealed record DataColumn(string Name, string Type, string? Mask = null);
