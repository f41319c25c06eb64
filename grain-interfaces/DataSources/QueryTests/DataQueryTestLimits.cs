namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>What one source's tests may hold: enforced by its <see cref="IDataQueryTestsGrain"/>, quoted by the gateway.</summary>
public static class DataQueryTestLimits
{
    public const int MaxTests = 200;
    public const int MaxNameLength = 64;
    public const int MaxQuestionLength = 1000;
    public const int MaxExpectedRows = 1000;
    public const int MaxExpectedBytes = 1024 * 1024;

    /// <summary>Expected rows of all of a source's tests together, so its stored state stays small enough to write at each run.</summary>
    public const int MaxExpectedBytesPerSource = 8 * 1024 * 1024;

    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && IsNameStart(name[0]) && name.All(c => IsNameStart(c) || c is '_' or '-' or '.');

    private static bool IsNameStart(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
