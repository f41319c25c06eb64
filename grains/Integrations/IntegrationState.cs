namespace Mcp.Cluster.Integrations;

[GenerateSerializer, Alias("mcp.IntegrationState")]
public sealed class IntegrationState
{
    [Id(0)] public string Url { get; set; } = "";
    /// <summary>The headers object with secret values encrypted (or as ${VAR} references).</summary>
    [Id(1)] public string StoredHeaders { get; set; } = "{}";
    [Id(2)] public string? Description { get; set; }
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public string CreatedBy { get; set; } = "";
    [Id(5)] public bool Unprefixed { get; set; }
    /// <summary>Whether an admin key set the URL; otherwise its connections go through the restricted pool.</summary>
    [Id(6)] public bool TargetSetByAdmin { get; set; }
}
