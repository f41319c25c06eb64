using System.Globalization;
using System.Text.RegularExpressions;
using Mcp.Cluster.Models.Backends;

namespace Mcp.Cluster.Models;

/// <summary>
/// What a model needs from the silo that runs it, as the user guide's <c>internal-classifier</c> states it:
/// <c>batch_size</c> (most inputs one run takes), <c>requires_gpu</c> and <c>memory_requirement</c> ("2GB").
/// Stored with the model for the placement and batching of hosted models; accepted with any provider.
/// </summary>
public sealed partial record ModelHosting(int? BatchSize, bool RequiresGpu, long? MemoryBytes)
{
    public const int MaxBatchSize = 4096;

    public static ModelHosting Read(ModelConfig config)
    {
        var batchSize = config.GetInt("batch_size", 1, MaxBatchSize);
        var requiresGpu = config.GetBool("requires_gpu") ?? false;
        var memory = config.GetString("memory_requirement") is { } text
            ? ParseBytes(text) ?? throw ModelConfig.Invalid("memory_requirement", "must be a size such as \"512MB\", \"2GB\" or \"1.5GiB\"")
            : (long?)null;
        return new ModelHosting(batchSize, requiresGpu, memory);
    }

    /// <summary>Decimal (KB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB) units; a bare number is bytes.</summary>
    public static long? ParseBytes(string text)
    {
        var match = SizePattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }
        double unit = match.Groups["u"].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" or "K" => 1e3,
            "MB" or "M" => 1e6,
            "GB" or "G" => 1e9,
            "TB" or "T" => 1e12,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            "TIB" => 1L << 40,
            _ => 0,
        };
        var bytes = n * unit;
        return unit == 0 || bytes < 1 || bytes > 1e15 ? null : (long)bytes;
    }

    [GeneratedRegex(@"^(?<n>\d{1,15}(\.\d{1,6})?)\s?(?<u>[A-Za-z]{0,3})$")]
    private static partial Regex SizePattern();
}
