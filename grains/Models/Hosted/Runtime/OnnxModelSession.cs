using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// One loaded ONNX model. <see cref="Run"/> takes items without their batch dimension and answers them with one
/// ONNX Runtime run when the model can batch (<see cref="Batchable"/>), one run per item otherwise.
/// </summary>
/// <remarks>
/// Thread-safety: <see cref="InferenceSession"/>.Run is thread-safe, and this wrapper holds nothing mutable besides
/// the disposed flag (each call builds its own tensors), so concurrent <see cref="Run"/> calls are safe. Disposing
/// while a run is in flight is not: the owner stops sending runs first.
/// </remarks>
public sealed class OnnxModelSession : IDisposable
{
    private const string CudaProvider = "CUDAExecutionProvider";

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly string[] inputNames;
    private readonly string[] outputNames;
    private int disposed;

    private OnnxModelSession(InferenceSession session, ModelSignature signature, OnnxDevice device, TimeSpan loadTime, long memoryBytes)
    {
        this.session = session;
        Signature = signature;
        Device = device;
        LoadTime = loadTime;
        MemoryBytes = memoryBytes;
        inputNames = [.. signature.Inputs.Select(s => s.Name)];
        outputNames = [.. signature.Outputs.Select(s => s.Name)];
        Batchable = signature.Inputs.All(LeadsWithDynamicDimension) && signature.Outputs.All(LeadsWithDynamicDimension);
    }

    public ModelSignature Signature { get; }

    /// <summary>
    /// Every input's first dimension is dynamic, so items can be stacked into one run, and every output declares a
    /// dynamic first dimension too, so the answers can be split back. An output with a fixed first dimension (or no
    /// declared shape) may not carry the batch: such models run one item at a time.
    /// </summary>
    public bool Batchable { get; }

    public OnnxDevice Device { get; }

    /// <summary>Wall time to read, check and optimize the model.</summary>
    public TimeSpan LoadTime { get; }

    /// <summary>
    /// An estimate of the memory the session holds: the growth of the process's working set across the load, and at
    /// least the file's size. Loads or allocations running at the same time in the process inflate it; memory ONNX
    /// Runtime allocates lazily on the first runs is not in it.
    /// </summary>
    public long MemoryBytes { get; }

    /// <summary>
    /// Loads the model at <paramref name="path"/> on <paramref name="device"/> ("cpu", "cuda", "cuda:N").
    /// <paramref name="intraOpThreads"/> caps the threads one run may use (0 = ONNX Runtime's default, one per core).
    /// <paramref name="allowSpinning"/>: ONNX Runtime's threads spin between runs instead of sleeping, which saves a
    /// little latency on a machine with idle cores and takes CPU from everything else (the gateway, other models) on
    /// one without.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown device or a negative thread count.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelArtifactException">The file is not a model hosting can run.</exception>
    /// <exception cref="OnnxDeviceUnavailableException">This silo's ONNX Runtime cannot use the device.</exception>
    public static OnnxModelSession Load(string path, string device = "cpu", int intraOpThreads = 0, bool allowSpinning = false)
    {
        var target = OnnxDevice.Parse(device);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        var fileBytes = new FileInfo(path) is { Exists: true } file
            ? file.Length
            : throw new FileNotFoundException($"model file '{Path.GetFileName(path)}' does not exist", path);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            // Runs are sequential graphs; parallelism comes from intra-op threads and concurrent runs.
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", allowSpinning ? "1" : "0");
        if (target.IsCuda)
        {
            AppendCuda(options, target);
        }

        var workingSetBefore = Environment.WorkingSet;
        var stopwatch = Stopwatch.StartNew();
        var session = Open(path, options);
        try
        {
            var signature = OnnxSignatureReader.Read(session);
            stopwatch.Stop();
            var memory = Math.Max(fileBytes, Environment.WorkingSet - workingSetBefore);
            return new OnnxModelSession(session, signature, target, stopwatch.Elapsed, memory);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Reads a model file's signature without keeping a session (no optimization, one thread).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelArtifactException">The file is not a model hosting can run.</exception>
    public static ModelSignature Inspect(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{Path.GetFileName(path)}' does not exist", path);
        }

        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = Open(path, options);
        return OnnxSignatureReader.Read(session);
    }

    /// <summary>
    /// Checks one item against the signature without running it (input names, dimensions, value kinds and counts),
    /// so a batcher can refuse a bad item alone instead of failing the batch it would have joined. Throws the same
    /// <see cref="ArgumentException"/>s as <see cref="Run"/>.
    /// </summary>
    public void CheckItem(TensorItem item) => OnnxBatchInputs.CheckItem(Signature, item);

    /// <summary>
    /// Runs <paramref name="items"/> (tensors without the batch dimension) and returns one item per input item with
    /// every output, batch dimension removed. With <paramref name="pooling"/>, output <see cref="OutputPooling.Output"/>
    /// comes back pooled to [D] (and normalized when asked); when it names a mask input, items' dynamic dimensions may
    /// differ and are right-padded with zeros, which the mask-weighted mean ignores.
    /// </summary>
    /// <exception cref="ArgumentException">An item does not fit the signature (message names the input), or the
    /// pooling names an unknown output or input.</exception>
    /// <exception cref="OnnxInputRejectedException">ONNX Runtime refused the inputs; in a batch, one item may be the cause.</exception>
    public TensorItem[] Run(IReadOnlyList<TensorItem> items, OutputPooling? pooling = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(items);
        CheckPooling(pooling);
        for (var k = 0; k < items.Count; k++)
        {
            OnnxBatchInputs.CheckNames(Signature, items[k], items.Count > 1 ? $"item {k}: " : "");
        }

        var results = new TensorItem[items.Count];
        if (items.Count == 0)
        {
            return results;
        }

        if (Batchable && RunGroup(items, 0, items.Count, batched: true, pooling, results))
        {
            return results;
        }

        for (var k = 0; k < items.Count; k++)
        {
            RunGroup(items, k, 1, batched: false, pooling, results);
        }

        return results;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        session.Dispose();
        runOptions.Dispose();
    }

    private bool RunGroup(
        IReadOnlyList<TensorItem> items, int offset, int count, bool batched, OutputPooling? pooling, TensorItem[] results)
    {
        var allowPadding = batched && pooling?.MaskInput is not null;
        var inputs = OnnxBatchInputs.Create(Signature, items, offset, count, allowPadding);
        try
        {
            using var outputs = Execute(inputs);
            return OnnxBatchOutputs.TrySplit(Signature, outputs, items, offset, count, batched, pooling, results);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }

    private IDisposableReadOnlyCollection<OrtValue> Execute(OrtValue[] inputs)
    {
        try
        {
            return session.Run(runOptions, inputNames, inputs, outputNames);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxInputRejectedException($"the model could not run on these inputs: {e.Message}", e);
        }
    }

    private void CheckPooling(OutputPooling? pooling)
    {
        if (pooling is null)
        {
            return;
        }

        if (Array.IndexOf(outputNames, pooling.Output) < 0)
        {
            throw new ArgumentException(
                $"pooling names output '{pooling.Output}'; the model's outputs are {OnnxBatchInputs.Names(Signature.Outputs)}");
        }

        if (pooling.MaskInput is not null && Array.IndexOf(inputNames, pooling.MaskInput) < 0)
        {
            throw new ArgumentException(
                $"pooling names mask input '{pooling.MaskInput}'; the model's inputs are {OnnxBatchInputs.Names(Signature.Inputs)}");
        }
    }

    private static bool LeadsWithDynamicDimension(TensorSpec spec) => spec.Dimensions is [-1, ..];

    private static void AppendCuda(SessionOptions options, OnnxDevice device)
    {
        var providers = OrtEnv.Instance().GetAvailableProviders();
        if (Array.IndexOf(providers, CudaProvider) < 0)
        {
            throw new OnnxDeviceUnavailableException(
                $"device '{device}' needs ONNX Runtime's CUDA execution provider, and this silo's ONNX Runtime has none (it has {string.Join(", ", providers)}): host the model on cpu, or run it on silos built with the GPU package (Microsoft.ML.OnnxRuntime.Gpu)");
        }

        try
        {
            options.AppendExecutionProvider_CUDA(device.CudaDeviceId);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new OnnxDeviceUnavailableException(
                $"device '{device}' could not be opened by ONNX Runtime's CUDA execution provider (missing CUDA/cuDNN libraries or no such GPU): {e.Message}", e);
        }
    }

    private static InferenceSession Open(string path, SessionOptions options)
    {
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            // ONNX Runtime's message carries the server's path; the user only knows the file's name.
            var detail = e.Message.Replace(path, Path.GetFileName(path), StringComparison.Ordinal);
            throw new ModelArtifactException(
                $"'{Path.GetFileName(path)}' is not an ONNX model ONNX Runtime can load ({detail}). Attach the complete .onnx file your framework exported (torch.onnx.export, tf2onnx, skl2onnx…); a truncated upload gives this error too",
                e);
        }
    }
}
