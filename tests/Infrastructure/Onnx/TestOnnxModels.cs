namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// Real ONNX models for tests, written in-process with a hand-written protobuf encoder instead of downloaded: each
/// comes with its weights and a plain-loop reference of what it computes.
/// </summary>
public static class TestOnnxModels
{
    public static TabularClassifierModel TabularClassifier(int seed = 7, int features = 4, int hidden = 8, int classes = 3) =>
        new(seed, features, hidden, classes);

    public static TokenEmbedderModel TokenEmbedder(int seed = 11, int dimensions = 8) => new(seed, dimensions);

    public static FixedBatchModel FixedBatch() => new();

    public static FrameScalerModel FrameScaler() => new();

    public static BatchReducingModel BatchReducing() => new();

    public static byte[] NoInputsModel() => UnsupportedTypeModels.NoInputs();

    public static byte[] StringInputModel() => UnsupportedTypeModels.StringInput();

    public static byte[] SequenceOfMapsOutputModel() => UnsupportedTypeModels.SequenceOfMapsOutput();

    public static byte[] Float16InputModel() => UnsupportedTypeModels.Float16Input();

    public static byte[] CorruptBytes(int seed = 3, int length = 4096) => CorruptModelFiles.RandomBytes(seed, length);

    public static byte[] Truncated(byte[] model, double fraction = 0.6) => CorruptModelFiles.Truncated(model, fraction);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="directory"/>/<paramref name="fileName"/>; returns the path.</summary>
    public static string Write(string directory, string fileName, byte[] bytes)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
