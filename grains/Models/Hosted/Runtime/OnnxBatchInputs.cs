using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// Checks items against the model's inputs and stacks them into one ONNX Runtime tensor per input, written straight
/// into native memory (no intermediate managed arrays).
/// </summary>
internal static class OnnxBatchInputs
{
    /// <summary>
    /// Whether an input or output carries a leading batch dimension that item tensors leave out: a dynamic first
    /// dimension, or a fixed first dimension of 1 (a model exported for one item at a time).
    /// </summary>
    public static bool HasBatchDimension(TensorSpec spec) =>
        spec.Dimensions.Length >= 1 && spec.Dimensions[0] is -1 or 1;

    /// <summary>
    /// Checks that every tensor an item carries names a model input, and that each input is there once. Cheap, so a
    /// batcher can run it on each item before it joins a batch.
    /// </summary>
    public static void CheckNames(ModelSignature signature, TensorItem item, string where)
    {
        ArgumentNullException.ThrowIfNull(item);
        foreach (var tensor in item.Tensors ?? [])
        {
            if (tensor is null || IndexOf(signature.Inputs, tensor.Name) < 0)
            {
                throw new ArgumentException(
                    $"{where}has a tensor named '{tensor?.Name}' and the model has no such input; its inputs are {Names(signature.Inputs)}");
            }
        }

        foreach (var spec in signature.Inputs)
        {
            Find(item, spec, signature, where);
        }
    }

    /// <summary>
    /// Everything <see cref="Create"/> checks about one item on its own: names, dimensions against the fixed ones,
    /// value kinds and counts. Only differences between items (which need padding) are left to the run.
    /// </summary>
    public static void CheckItem(ModelSignature signature, TensorItem item)
    {
        CheckNames(signature, item, "");
        foreach (var spec in signature.Inputs)
        {
            var itemSpec = HasBatchDimension(spec) ? spec.Dimensions.AsSpan(1) : spec.Dimensions.AsSpan();
            Check(Find(item, spec, signature, ""), spec, itemSpec, "");
        }
    }

    /// <summary>
    /// One tensor per model input for items [offset, offset + count): stacked along a new batch dimension when the input
    /// has one. With <paramref name="allowPadding"/>, dynamic dimensions may differ between items and are right-padded
    /// with zeros to the largest; otherwise items must agree. The caller disposes the values.
    /// </summary>
    public static OrtValue[] Create(
        ModelSignature signature, IReadOnlyList<TensorItem> items, int offset, int count, bool allowPadding)
    {
        var values = new OrtValue[signature.Inputs.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Create(signature, signature.Inputs[i], items, offset, count, allowPadding);
            }

            return values;
        }
        catch
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }

            throw;
        }
    }

    private static OrtValue Create(
        ModelSignature signature, TensorSpec spec, IReadOnlyList<TensorItem> items, int offset, int count, bool allowPadding)
    {
        var batched = HasBatchDimension(spec);
        if (!batched && count != 1)
        {
            throw new InvalidOperationException($"input '{spec.Name}' has no batch dimension; run its items one at a time");
        }

        var itemSpec = batched ? spec.Dimensions.AsSpan(1) : spec.Dimensions.AsSpan();
        var tensors = new NamedTensor[count];
        var itemDims = new long[itemSpec.Length];
        for (var k = 0; k < count; k++)
        {
            var where = count > 1 ? $"item {k}: " : "";
            var tensor = Find(items[offset + k], spec, signature, where);
            Check(tensor, spec, itemSpec, where);
            if (k == 0)
            {
                (tensor.Dimensions ?? []).CopyTo(itemDims, 0);
            }
            else
            {
                Merge(tensor, tensors[0], itemDims, allowPadding, where);
            }

            tensors[k] = tensor;
        }

        var shape = new long[itemDims.Length + (batched ? 1 : 0)];
        if (batched)
        {
            shape[0] = count;
        }

        itemDims.CopyTo(shape, batched ? 1 : 0);
        var itemSize = Product(itemDims, spec.Name);
        if (itemSize * count > int.MaxValue)
        {
            throw new ArgumentException($"input '{spec.Name}' would need {itemSize * count} values in one run; send fewer or smaller items");
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, ToOrt(spec.ElementType), shape);
        try
        {
            switch (spec.ElementType)
            {
                case TensorElementType.Float:
                    Fill<float, OnnxFloatWriter>(value.GetTensorMutableDataAsSpan<float>(), tensors, itemDims, spec.Name);
                    break;
                case TensorElementType.Double:
                    Fill<double, OnnxDoubleWriter>(value.GetTensorMutableDataAsSpan<double>(), tensors, itemDims, spec.Name);
                    break;
                case TensorElementType.Int32:
                    Fill<int, OnnxInt32Writer>(value.GetTensorMutableDataAsSpan<int>(), tensors, itemDims, spec.Name);
                    break;
                case TensorElementType.Int64:
                    Fill<long, OnnxInt64Writer>(value.GetTensorMutableDataAsSpan<long>(), tensors, itemDims, spec.Name);
                    break;
                case TensorElementType.Bool:
                    Fill<bool, OnnxBoolWriter>(value.GetTensorMutableDataAsSpan<bool>(), tensors, itemDims, spec.Name);
                    break;
                default:
                    throw new InvalidOperationException($"input '{spec.Name}' has element type {spec.ElementType}, which the signature reader should have refused");
            }

            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    private static NamedTensor Find(TensorItem item, TensorSpec spec, ModelSignature signature, string where)
    {
        foreach (var tensor in item.Tensors ?? [])
        {
            if (tensor is not null && string.Equals(tensor.Name, spec.Name, StringComparison.Ordinal))
            {
                return tensor;
            }
        }

        throw new ArgumentException($"{where}input '{spec.Name}' is missing; the model takes {Names(signature.Inputs)}");
    }

    /// <summary>Rank, fixed dimensions, value kind and value count of one item's tensor against the input.</summary>
    private static void Check(NamedTensor tensor, TensorSpec spec, ReadOnlySpan<long> itemSpec, string where)
    {
        var dims = tensor.Dimensions ?? [];
        if (dims.Length != itemSpec.Length)
        {
            throw new ArgumentException(
                $"{where}input '{spec.Name}' has dimensions {Format(dims)} per item; the model takes {Format(itemSpec)} per item ({Format(spec.Dimensions)} with the batch, -1 = any)");
        }

        for (var d = 0; d < dims.Length; d++)
        {
            if (dims[d] < 0 || (itemSpec[d] >= 0 && dims[d] != itemSpec[d]))
            {
                throw new ArgumentException(
                    $"{where}input '{spec.Name}' has dimensions {Format(dims)} per item; the model takes {Format(itemSpec)} per item (-1 = any)");
            }
        }

        var integral = spec.ElementType is TensorElementType.Int32 or TensorElementType.Int64 or TensorElementType.Bool;
        if (integral && tensor.Longs is null)
        {
            throw new ArgumentException(
                $"{where}input '{spec.Name}' is {spec.ElementType.ToString().ToLowerInvariant()}; send its values as integers");
        }

        var length = (integral ? tensor.Longs?.Length : tensor.Floats?.Length ?? tensor.Longs?.Length)
            ?? throw new ArgumentException($"{where}input '{spec.Name}' has no values");
        var expected = Product(dims, spec.Name);
        if (length != expected)
        {
            throw new ArgumentException(
                $"{where}input '{spec.Name}' has {length} values; its dimensions {Format(dims)} need {expected}");
        }
    }

    /// <summary>Grows <paramref name="itemDims"/> to cover <paramref name="tensor"/>, or refuses a difference that needs padding.</summary>
    private static void Merge(NamedTensor tensor, NamedTensor first, long[] itemDims, bool allowPadding, string where)
    {
        for (var d = 0; d < itemDims.Length; d++)
        {
            if (tensor.Dimensions[d] == itemDims[d])
            {
                continue;
            }

            if (!allowPadding)
            {
                throw new ArgumentException(
                    $"{where}input '{tensor.Name}' has dimensions {Format(tensor.Dimensions)} and the first item {Format(first.Dimensions)}; items run together must agree");
            }

            itemDims[d] = Math.Max(itemDims[d], tensor.Dimensions[d]);
        }
    }

    /// <summary>
    /// Writes each item into its slot of the batch. An item smaller than the slot (padding) is copied row by row (a
    /// row = the last dimension), the rest of the slot left zero.
    /// </summary>
    private static void Fill<T, TWriter>(Span<T> destination, NamedTensor[] tensors, long[] slotDims, string input)
        where T : unmanaged
        where TWriter : IOnnxElementWriter<T>
    {
        var slotSize = (int)Product(slotDims, input);
        for (var k = 0; k < tensors.Length; k++)
        {
            var slot = destination.Slice(k * slotSize, slotSize);
            var dims = tensors[k].Dimensions;
            if (dims.AsSpan().SequenceEqual(slotDims))
            {
                TWriter.Write(tensors[k], 0, slot, input);
                continue;
            }

            slot.Clear();
            var rank = dims.Length;
            var rowLength = (int)dims[rank - 1];
            var rows = (int)Product(dims.AsSpan(0, rank - 1), input);
            for (var row = 0; row < rows; row++)
            {
                // The row's index in the item, in the slot's (larger) strides.
                long target = 0;
                long stride = slotDims[rank - 1];
                var rest = row;
                for (var d = rank - 2; d >= 0; d--)
                {
                    target += rest % dims[d] * stride;
                    rest = (int)(rest / dims[d]);
                    stride *= slotDims[d];
                }

                TWriter.Write(tensors[k], row * rowLength, slot.Slice((int)target, rowLength), input);
            }
        }
    }

    private static long Product(ReadOnlySpan<long> dims, string input)
    {
        long product = 1;
        foreach (var dim in dims)
        {
            product *= dim;
            if (product > int.MaxValue)
            {
                throw new ArgumentException($"input '{input}' has dimensions {Format(dims)}, too large for one tensor");
            }
        }

        return product;
    }

    private static int IndexOf(TensorSpec[] specs, string? name)
    {
        for (var i = 0; i < specs.Length; i++)
        {
            if (string.Equals(specs[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    internal static string Names(TensorSpec[] specs) => string.Join(", ", specs.Select(s => $"'{s.Name}'"));

    internal static string Format(ReadOnlySpan<long> dims) => $"[{string.Join(", ", dims.ToArray())}]";

    internal static OrtElementType ToOrt(TensorElementType type) => type switch
    {
        TensorElementType.Float => OrtElementType.Float,
        TensorElementType.Double => OrtElementType.Double,
        TensorElementType.Int32 => OrtElementType.Int32,
        TensorElementType.Int64 => OrtElementType.Int64,
        TensorElementType.Bool => OrtElementType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
