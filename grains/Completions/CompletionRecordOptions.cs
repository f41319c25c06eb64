using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Completions;

/// <summary>How long, and how many, finished completions each model keeps for <c>GET /completions/{id}</c>.</summary>
public sealed class CompletionRecordOptions
{
    public const string Section = "Completions";

    /// <summary>How long a finished completion can still be read.</summary>
    [Positive]
    public TimeSpan RecordRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most finished completions one model keeps; the oldest go first.</summary>
    [NonNegative]
    public int MaxRetainedRecords { get; set; } = 2_000;

    /// <summary>The longest answer text kept with a record; longer answers are cut.</summary>
    [NonNegative]
    public int MaxRetainedTextChars { get; set; } = 16 * 1024;
}
