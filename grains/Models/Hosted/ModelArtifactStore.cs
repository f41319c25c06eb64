using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Keeps uploaded model files: streams an upload to the artifact directory while hashing and counting it (never whole
/// in memory), then files it under <c>{model id}/{hash}/</c> as <c>model.onnx</c> (+ <c>vocab.txt</c> from a zip). Only
/// those two names are ever taken from a zip, each size-limited, so an archive cannot write elsewhere or fill the
/// disk. Uploads run a few at a time per node (<see cref="HostedModelOptions.MaxConcurrentUploads"/>).
/// </summary>
public sealed class ModelArtifactStore(ModelArtifactPaths paths, IOptions<HostedModelOptions> options)
{
    private static ReadOnlySpan<byte> ZipMagic => "PK\u0003\u0004"u8;

    private readonly SemaphoreSlim _uploads = new(options.Value.MaxConcurrentUploads);

    /// <summary>A stored upload: its location under the artifact directory and its content hash.</summary>
    public sealed record Stored(string Location, string Sha256, long Bytes);

    /// <exception cref="ArtifactUploadException">Too large, empty, a zip without a model, or too many uploads at once.</exception>
    public async Task<Stored> StoreAsync(string modelId, Stream body, CancellationToken cancellationToken)
    {
        if (!await _uploads.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            throw new ArtifactUploadException(429, $"{options.Value.MaxConcurrentUploads} model files are being uploaded to this node; try again when one is done.");
        }
        try
        {
            return await StoreCoreAsync(modelId, body, cancellationToken);
        }
        finally
        {
            _uploads.Release();
        }
    }

    private async Task<Stored> StoreCoreAsync(string modelId, Stream body, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxArtifactBytes;
        var modelDirectory = Path.Combine(paths.ArtifactDirectory, SafeName(modelId));
        Directory.CreateDirectory(modelDirectory);
        var upload = Path.Combine(modelDirectory, $".upload-{Guid.NewGuid():N}");
        try
        {
            long total = 0;
            string sha;
            var head = new byte[4];
            var headLength = 0;
            await using (var file = new FileStream(upload, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > max)
                    {
                        throw new ArtifactUploadException(413, $"The file is larger than {max} bytes (Models:Hosting:MaxArtifactBytes).");
                    }
                    for (var i = 0; headLength < head.Length && i < read; i++)
                    {
                        head[headLength++] = buffer[i];
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (total == 0)
            {
                throw new ArtifactUploadException(400, "The body is empty; send the .onnx file (or a zip holding model.onnx and vocab.txt) as the request body.");
            }
            var location = Path.Combine(SafeName(modelId), sha[..16]);
            var target = Path.Combine(paths.ArtifactDirectory, location);
            if (Directory.Exists(target))
            {
                // The same content again: the stored copy is it.
                return new Stored(location, sha, total);
            }
            var staging = target + $".staging-{Guid.NewGuid():N}";
            Directory.CreateDirectory(staging);
            try
            {
                if (head.AsSpan(0, headLength).SequenceEqual(ZipMagic))
                {
                    Unzip(upload, staging, max);
                }
                else
                {
                    File.Move(upload, Path.Combine(staging, ModelArtifactInspector.ModelFileName));
                }
                Directory.Move(staging, target);
            }
            catch
            {
                Directory.Delete(staging, recursive: true);
                throw;
            }
            return new Stored(location, sha, total);
        }
        finally
        {
            File.Delete(upload);
        }
    }

    private static void Unzip(string zipPath, string staging, long max)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var taken = 0L;
        var found = false;
        foreach (var entry in zip.Entries)
        {
            // Only the entry's own name counts, so "../x" or "/etc/x" inside an archive lands nowhere but here.
            var name = Path.GetFileName(entry.FullName);
            var target = name switch
            {
                ModelArtifactInspector.ModelFileName => ModelArtifactInspector.ModelFileName,
                ModelArtifactInspector.VocabularyFileName => ModelArtifactInspector.VocabularyFileName,
                _ when name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && !found => ModelArtifactInspector.ModelFileName,
                _ => null,
            };
            if (target is null || File.Exists(Path.Combine(staging, target)))
            {
                continue;
            }
            found |= target == ModelArtifactInspector.ModelFileName;
            using var source = entry.Open();
            using var file = File.Create(Path.Combine(staging, target));
            var buffer = new byte[1 << 16];
            int read;
            // The declared size of an entry is the archive's word; the bytes that come out are counted instead.
            while ((read = source.Read(buffer)) > 0)
            {
                taken += read;
                if (taken > max)
                {
                    throw new ArtifactUploadException(413, $"The zip unpacks to more than {max} bytes (Models:Hosting:MaxArtifactBytes).");
                }
                file.Write(buffer, 0, read);
            }
        }
        if (!found)
        {
            throw new ArtifactUploadException(400, $"The zip holds no {ModelArtifactInspector.ModelFileName} (nor any .onnx file).");
        }
    }

    /// <summary>Deletes an uploaded artifact's folder, given its location (never anything outside the artifact directory).</summary>
    public static void Delete(ModelArtifactPaths paths, string location)
    {
        var full = Path.GetFullPath(location, paths.ArtifactDirectory);
        if (ModelArtifactPaths.IsInside(full, paths.ArtifactDirectory) && Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
    }

    private static string SafeName(string modelId) =>
        modelId.Length is > 0 and <= 64 && modelId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? modelId
            : throw new ArgumentException($"'{modelId}' is not a model id.");
}
