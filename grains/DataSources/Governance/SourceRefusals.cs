namespace Mcp.Cluster.DataSources.Governance;

/// <summary>
/// The words of a refused read that the source's grain (admitting) and its executors (applying the policy) both say:
/// one text, so a caller cannot tell which of the two refused.
/// </summary>
public static class SourceRefusals
{
    /// <summary>For a source that does not exist, and for one the caller may not see.</summary>
    public static string NotFound(string source) => $"Data source '{source}' not found.";

    public static string Disabled(string source) => $"Data source '{source}' is disabled.";
}
