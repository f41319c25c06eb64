using System.Globalization;

namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>Where a session runs: the CPU, or one CUDA device by ordinal.</summary>
public readonly record struct OnnxDevice(bool IsCuda, int CudaDeviceId)
{
    public static readonly OnnxDevice Cpu = new(false, 0);

    /// <summary>"cpu" (also when empty), "cuda" (device 0) or "cuda:N"; case-insensitive.</summary>
    public static OnnxDevice Parse(string? device)
    {
        var text = device?.Trim() ?? "";
        if (text.Length == 0 || text.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            return Cpu;
        }

        if (text.Equals("cuda", StringComparison.OrdinalIgnoreCase))
        {
            return new OnnxDevice(true, 0);
        }

        if (text.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return new OnnxDevice(true, id);
        }

        throw new ArgumentException($"device '{device}' is not one of cpu, cuda, cuda:N (N a device number)", nameof(device));
    }

    public override string ToString() => IsCuda ? $"cuda:{CudaDeviceId}" : "cpu";
}
