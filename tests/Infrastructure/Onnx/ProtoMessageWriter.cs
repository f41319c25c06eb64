using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// Writes one protobuf message field by field. Nested messages are written into their own writer first and embedded
/// as length-delimited bytes, which is exactly how protobuf encodes a sub-message.
/// </summary>
public sealed class ProtoMessageWriter
{
    private readonly MemoryStream buffer = new();
    private readonly CodedOutputStream output;

    public ProtoMessageWriter() => output = new CodedOutputStream(buffer, leaveOpen: true);

    public ProtoMessageWriter Int64(int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
        return this;
    }

    public ProtoMessageWriter Int32(int field, int value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(value);
        return this;
    }

    public ProtoMessageWriter Float(int field, float value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(value);
        return this;
    }

    public ProtoMessageWriter String(int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        return this;
    }

    public ProtoMessageWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoMessageWriter Message(int field, ProtoMessageWriter message) => Bytes(field, message.ToArray());

    /// <summary>A repeated int64 field, packed (the proto3 default encoding).</summary>
    public ProtoMessageWriter PackedInt64s(int field, IReadOnlyList<long> values)
    {
        var length = 0;
        foreach (var value in values)
        {
            length += CodedOutputStream.ComputeInt64Size(value);
        }

        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(length);
        foreach (var value in values)
        {
            output.WriteInt64(value);
        }

        return this;
    }

    /// <summary>Little-endian element bytes, the encoding of TensorProto.raw_data.</summary>
    public ProtoMessageWriter RawData<T>(int field, T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("raw_data is little-endian; this writer copies memory as is.");
        }

        return Bytes(field, MemoryMarshal.AsBytes(values.AsSpan()));
    }

    public byte[] ToArray()
    {
        output.Flush();
        return buffer.ToArray();
    }
}
