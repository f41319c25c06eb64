namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>Files that claim to be models and are not.</summary>
public static class CorruptModelFiles
{
    /// <summary>Seeded random bytes: not a protobuf message ONNX Runtime can parse.</summary>
    public static byte[] RandomBytes(int seed = 3, int length = 4096)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The first <paramref name="fraction"/> of a real model, as an interrupted upload leaves it.</summary>
    public static byte[] Truncated(byte[] model, double fraction = 0.6) => model[..(int)(model.Length * fraction)];
}
