using System.Globalization;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Usage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>
/// The span a timeline answers: the last <see cref="Minutes"/> minutes in steps of <see cref="Step"/> minutes, as
/// <see cref="Points"/> points aligned to the step (from the Unix epoch, so 60-minute steps start on the hour), the
/// step holding the current minute last.
/// </summary>
public sealed record UsageTimelineWindow(int Minutes, int Step)
{
    public const int MinMinutes = 5;
    public const int MaxMinutes = UsageTimeline.RetainedMinutes;
    public const int DefaultMinutes = 60;
    /// <summary>The default step is the finest that keeps a chart within this many points.</summary>
    public const int MaxDefaultPoints = 120;
    public static readonly int[] Steps = [1, 5, 15, 60];

    public int Points => (Minutes + Step - 1) / Step;

    /// <summary>The first minute of the oldest point when it is <paramref name="now"/> (a minute number).</summary>
    public long FirstMinute(long now) => now - Mod(now, Step) - (long)(Points - 1) * Step;

    /// <summary>Reads <c>?minutes=</c> and <c>?step=</c>; a 400 naming the field when one is malformed or out of range.</summary>
    public static JsonHttpResult<ApiError>? TryRead(string? minutes, string? step, out UsageTimelineWindow window)
    {
        window = new UsageTimelineWindow(DefaultMinutes, 1);
        var span = DefaultMinutes;
        if (minutes is not null && (!TryParse(minutes, out span) || span is < MinMinutes or > MaxMinutes))
        {
            return ApiErrors.Validation($"Query parameter 'minutes' must be a whole number from {MinMinutes} to {MaxMinutes}.", "minutes");
        }
        int width;
        if (step is null)
        {
            width = Steps.First(s => (span + s - 1) / s <= MaxDefaultPoints || s == Steps[^1]);
        }
        else if (!TryParse(step, out width) || !Steps.Contains(width))
        {
            return ApiErrors.Validation($"Query parameter 'step' must be one of {string.Join(", ", Steps)} (minutes).", "step");
        }
        else if (width > span)
        {
            return ApiErrors.Validation($"Query parameter 'step' ({width}) must not be longer than 'minutes' ({span}).", "step");
        }
        window = new UsageTimelineWindow(span, width);
        return null;
    }

    // Digits only: no sign, spaces, exponent or thousands separators to read differently from what was meant.
    private static bool TryParse(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static long Mod(long value, int by) => ((value % by) + by) % by;
}
