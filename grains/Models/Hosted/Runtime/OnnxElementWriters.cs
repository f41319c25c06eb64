namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// Copies a run of an item's values (<see cref="NamedTensor.Floats"/> or <see cref="NamedTensor.Longs"/>) into ONNX
/// Runtime's tensor memory, converting to the input's declared element type. Static abstract members let the fill
/// loop be generic without a delegate call per element.
/// </summary>
internal interface IOnnxElementWriter<T>
{
    static abstract void Write(NamedTensor source, int sourceOffset, Span<T> destination, string input);
}

internal readonly struct OnnxFloatWriter : IOnnxElementWriter<float>
{
    public static void Write(NamedTensor source, int sourceOffset, Span<float> destination, string input)
    {
        if (source.Floats is { } floats)
        {
            floats.AsSpan(sourceOffset, destination.Length).CopyTo(destination);
            return;
        }

        var longs = source.Longs.AsSpan(sourceOffset, destination.Length);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = longs[i];
        }
    }
}

internal readonly struct OnnxDoubleWriter : IOnnxElementWriter<double>
{
    public static void Write(NamedTensor source, int sourceOffset, Span<double> destination, string input)
    {
        if (source.Floats is { } floats)
        {
            var values = floats.AsSpan(sourceOffset, destination.Length);
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = values[i];
            }

            return;
        }

        var longs = source.Longs.AsSpan(sourceOffset, destination.Length);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = longs[i];
        }
    }
}

internal readonly struct OnnxInt64Writer : IOnnxElementWriter<long>
{
    public static void Write(NamedTensor source, int sourceOffset, Span<long> destination, string input) =>
        source.Longs.AsSpan(sourceOffset, destination.Length).CopyTo(destination);
}

internal readonly struct OnnxInt32Writer : IOnnxElementWriter<int>
{
    public static void Write(NamedTensor source, int sourceOffset, Span<int> destination, string input)
    {
        var longs = source.Longs.AsSpan(sourceOffset, destination.Length);
        for (var i = 0; i < destination.Length; i++)
        {
            var value = longs[i];
            if (value is < int.MinValue or > int.MaxValue)
            {
                throw new ArgumentException($"input '{input}' is int32 and value {value} does not fit");
            }

            destination[i] = (int)value;
        }
    }
}

internal readonly struct OnnxBoolWriter : IOnnxElementWriter<bool>
{
    public static void Write(NamedTensor source, int sourceOffset, Span<bool> destination, string input)
    {
        var longs = source.Longs.AsSpan(sourceOffset, destination.Length);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = longs[i] != 0;
        }
    }
}
