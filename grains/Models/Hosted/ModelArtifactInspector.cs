using System.Security.Cryptography;
using Mcp.Cluster.Models.Hosted.Runtime;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Reads what a model file is before a model is allowed to run it: finds the <c>.onnx</c> file (and <c>vocab.txt</c>)
/// in a folder, hashes the content and reads the signature with ONNX Runtime, so a file that is not a model we can
/// run is refused when it is attached, not when a caller first uses it. Stateless, one per silo; the work runs on the
/// thread pool and touches no grain state.
/// </summary>
public sealed class ModelArtifactInspector(ModelArtifactPaths paths)
{
    public const string ModelFileName = "model.onnx";
    public const string VocabularyFileName = "vocab.txt";

    /// <exception cref="ModelArtifactException">No model file there, or one that does not load or that we cannot run.</exception>
    public Task<HostedArtifact> InspectAsync(bool fromUpload, string location, string? knownSha256, DateTimeOffset now) =>
        Task.Run(() =>
        {
            var root = fromUpload ? paths.ArtifactDirectory : paths.ModelDirectory;
            var full = Path.GetFullPath(location, root);
            try
            {
                var (model, vocabulary) = Files(full);
                var signature = OnnxModelSession.Inspect(model);
                var bytes = new FileInfo(model).Length + (vocabulary is null ? 0 : new FileInfo(vocabulary).Length);
                var sha = knownSha256 ?? Hash(model, vocabulary);
                return new HostedArtifact(fromUpload, location, sha, bytes, signature, vocabulary is not null, now);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The silo's own path stays out of the answer; the log has it.
                throw new ModelArtifactException($"The model file cannot be read on this silo ({e.GetType().Name}).", e);
            }
        });

    /// <summary>The model file and vocabulary of an artifact (a folder or the <c>.onnx</c> file itself).</summary>
    public static (string Model, string? Vocabulary) Files(string full)
    {
        if (File.Exists(full))
        {
            var beside = Path.Combine(Path.GetDirectoryName(full)!, VocabularyFileName);
            return (full, File.Exists(beside) ? beside : null);
        }
        if (!Directory.Exists(full))
        {
            throw new ModelArtifactException("There is no model file or folder by that name in the models directory.");
        }
        // model.onnx, or onnx/model.onnx as Hugging Face repositories lay it out, or the folder's only .onnx file.
        string? model = new[] { Path.Combine(full, ModelFileName), Path.Combine(full, "onnx", ModelFileName) }.FirstOrDefault(File.Exists);
        if (model is null)
        {
            var candidates = Directory.EnumerateFiles(full, "*.onnx").Take(2).ToArray();
            model = candidates.Length == 1 ? candidates[0]
                : throw new ModelArtifactException(candidates.Length == 0
                    ? $"The folder holds no {ModelFileName} (nor onnx/{ModelFileName})."
                    : $"The folder holds several .onnx files; name one in model_path, or call it {ModelFileName}.");
        }
        var vocabulary = Path.Combine(full, VocabularyFileName);
        return (model, File.Exists(vocabulary) ? vocabulary : null);
    }

    public static string Hash(string model, string? vocabulary)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (var file in vocabulary is null ? [model] : new[] { model, vocabulary })
        {
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                sha.AppendData(buffer.AsSpan(0, read));
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
