namespace Mcp.Cluster.Completions;

public sealed class CompletionGrainOptions
{
    public const string Section = "Completions";

    /// <summary>How long a finished completion can still be read with <c>GET /completions/{id}</c>.</summary>
    public TimeSpan RecordRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest answer text kept for <c>GET /completions/{id}</c>; longer answers are cut.</summary>
    public int MaxRetainedTextChars { get; set; } = 64 * 1024;
}
