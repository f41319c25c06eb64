namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>Deterministic weights: a seeded <see cref="Random"/> gives the same sequence on every run and platform.</summary>
public static class SeededWeights
{
    /// <summary><paramref name="count"/> values uniform in [-scale, scale).</summary>
    public static float[] Uniform(Random random, int count, float scale = 1f)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return values;
    }
}
