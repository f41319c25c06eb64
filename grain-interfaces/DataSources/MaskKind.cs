namespace Mcp.Cluster.DataSources;

/// <summary>How a sensitive field is shown to callers who may see the row but not the value.</summary>
[GenerateSerializer, Alias("mcp.MaskKind")]
public enum MaskKind
{
    /// <summary>No mask: lifts a source-wide mask for one grant.</summary>
    None,
    /// <summary>A keyed hash (HMAC-SHA256 with the source's own salt): equal values stay equal, so the field can still be joined or counted.</summary>
    Hash,
    /// <summary>Only the last four characters (e-mail addresses: the first character and the domain) stay visible.</summary>
    Partial,
    /// <summary>The value is replaced by null.</summary>
    Redact,
}
