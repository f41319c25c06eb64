using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>Splits one run's outputs back into items, pooling the embedding output on the way when asked.</summary>
internal static class OnnxBatchOutputs
{
    /// <summary>
    /// Writes results[offset..offset + count). Returns false, writing nothing, when a batched run's output does not
    /// lead with the batch (a model that reduces over it): the caller then runs the items one at a time.
    /// </summary>
    public static bool TrySplit(
        ModelSignature signature,
        IReadOnlyCollection<OrtValue> outputs,
        IReadOnlyList<TensorItem> items,
        int offset,
        int count,
        bool batched,
        OutputPooling? pooling,
        TensorItem[] results)
    {
        var values = new OrtValue[outputs.Count];
        var shapes = new long[values.Length][];
        var types = new OrtElementType[values.Length];
        var index = 0;
        foreach (var value in outputs)
        {
            var info = value.GetTensorTypeAndShape();
            values[index] = value;
            shapes[index] = info.Shape;
            types[index] = info.ElementDataType;
            if (batched && (shapes[index].Length == 0 || shapes[index][0] != count))
            {
                return false;
            }

            index++;
        }

        var tensors = new NamedTensor[count][];
        for (var k = 0; k < count; k++)
        {
            tensors[k] = new NamedTensor[values.Length];
        }

        for (var o = 0; o < values.Length; o++)
        {
            var spec = signature.Outputs[o];
            var shape = shapes[o];
            var strip = batched || (OnnxBatchInputs.HasBatchDimension(spec) && shape.Length >= 1 && shape[0] == 1);
            var itemDims = strip ? shape[1..] : shape;
            var itemSize = 1;
            foreach (var dim in itemDims)
            {
                itemSize *= (int)dim;
            }

            var pooled = pooling is not null && string.Equals(pooling.Output, spec.Name, StringComparison.Ordinal);
            for (var k = 0; k < count; k++)
            {
                tensors[k][o] = pooled
                    ? Pool(values[o], types[o], itemDims, itemSize, k, items[offset + k], pooling!)
                    : Slice(values[o], types[o], spec.Name, itemDims, itemSize, k);
            }
        }

        for (var k = 0; k < count; k++)
        {
            results[offset + k] = new TensorItem(tensors[k]);
        }

        return true;
    }

    private static NamedTensor Slice(OrtValue value, OrtElementType type, string name, long[] dims, int size, int item)
    {
        var start = item * size;
        switch (type)
        {
            case OrtElementType.Float:
                return new NamedTensor(name, dims, Floats: value.GetTensorDataAsSpan<float>().Slice(start, size).ToArray());
            case OrtElementType.Double:
            {
                var source = value.GetTensorDataAsSpan<double>().Slice(start, size);
                var floats = new float[size];
                for (var i = 0; i < size; i++)
                {
                    floats[i] = (float)source[i];
                }

                return new NamedTensor(name, dims, Floats: floats);
            }

            case OrtElementType.Int64:
                return new NamedTensor(name, dims, Longs: value.GetTensorDataAsSpan<long>().Slice(start, size).ToArray());
            case OrtElementType.Int32:
            {
                var source = value.GetTensorDataAsSpan<int>().Slice(start, size);
                var longs = new long[size];
                for (var i = 0; i < size; i++)
                {
                    longs[i] = source[i];
                }

                return new NamedTensor(name, dims, Longs: longs);
            }

            case OrtElementType.Bool:
            {
                var source = value.GetTensorDataAsSpan<bool>().Slice(start, size);
                var longs = new long[size];
                for (var i = 0; i < size; i++)
                {
                    longs[i] = source[i] ? 1 : 0;
                }

                return new NamedTensor(name, dims, Longs: longs);
            }

            default:
                throw new InvalidOperationException($"output '{name}' came back as {type}, which the signature reader should have refused");
        }
    }

    /// <summary>
    /// The item's [tokens, D] states averaged (mask-weighted when the pooling names a mask input) into [D], or an item
    /// already [D] taken as is; then unit length when asked. Reads ONNX Runtime's memory directly: the token states are
    /// never copied out.
    /// </summary>
    private static NamedTensor Pool(
        OrtValue value, OrtElementType type, long[] dims, int size, int item, TensorItem source, OutputPooling pooling)
    {
        if (type != OrtElementType.Float)
        {
            throw new ArgumentException($"pooling needs output '{pooling.Output}' to be float; it is {type.ToString().ToLowerInvariant()}");
        }

        var states = value.GetTensorDataAsSpan<float>().Slice(item * size, size);
        float[] vector;
        switch (dims.Length)
        {
            case 1:
                vector = states.ToArray();
                break;
            case 2:
                vector = new float[dims[1]];
                if (pooling.MaskInput is null)
                {
                    EmbeddingPooling.Mean(states, (int)dims[0], vector);
                    break;
                }

                var mask = Mask(source, pooling.MaskInput);
                if (mask.Longs is { } longs)
                {
                    CheckMask(longs.Length, dims[0], pooling);
                    EmbeddingPooling.MaskedMean(states, longs, vector);
                }
                else
                {
                    var floats = mask.Floats ?? [];
                    CheckMask(floats.Length, dims[0], pooling);
                    EmbeddingPooling.MaskedMean(states, floats, vector);
                }

                break;
            default:
                throw new ArgumentException(
                    $"pooling takes output '{pooling.Output}' as [tokens, dimensions] or [dimensions] per item; it is {OnnxBatchInputs.Format(dims)}");
        }

        if (pooling.Normalize)
        {
            EmbeddingPooling.Normalize(vector);
        }

        return new NamedTensor(pooling.Output, [vector.Length], Floats: vector);
    }

    private static NamedTensor Mask(TensorItem item, string maskInput)
    {
        foreach (var tensor in item.Tensors)
        {
            if (string.Equals(tensor.Name, maskInput, StringComparison.Ordinal))
            {
                return tensor;
            }
        }

        throw new ArgumentException($"pooling mask input '{maskInput}' is missing from the item");
    }

    private static void CheckMask(int maskLength, long tokens, OutputPooling pooling)
    {
        if (maskLength > tokens)
        {
            throw new ArgumentException(
                $"pooling mask '{pooling.MaskInput}' covers {maskLength} tokens but output '{pooling.Output}' has {tokens} per item; the mask must be the model's token mask");
        }
    }
}
