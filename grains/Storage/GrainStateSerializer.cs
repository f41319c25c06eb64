using System.Buffers;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mcp.Cluster.Storage;

/// <summary>
/// The one format grain state is stored in, whatever the storage: a four-byte marker and then Orleans' binary
/// serializer, which is version tolerant through the <c>[Id]</c>s and creates every object it reads afresh (the
/// Newtonsoft default of Orleans' ADO.NET storage populated state defaults in place, so keys loaded on one silo shared
/// one rate-limit object). Payloads without the marker were written before this format and are read with the storage
/// mode's former serializer, so upgrading loses nothing; the next write stores them in this format.
/// </summary>
public sealed class GrainStateSerializer(Serializer serializer, IGrainStorageSerializer legacy) : IGrainStorageSerializer
{
    /// <summary>"MCS" and the format version.</summary>
    private static ReadOnlySpan<byte> Marker => [0x4D, 0x43, 0x53, 0x01];

    public BinaryData Serialize<T>(T? input)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        writer.Write(Marker);
        serializer.Serialize(input, writer);
        return new BinaryData(writer.WrittenMemory);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        var bytes = input.ToMemory();
        return bytes.Span.StartsWith(Marker)
            ? serializer.Deserialize<T>(bytes[Marker.Length..])
            : legacy.Deserialize<T>(input);
    }

    /// <summary>Whether <paramref name="payload"/> is in this format (not one written by an earlier version).</summary>
    public static bool IsCurrentFormat(ReadOnlySpan<byte> payload) => payload.StartsWith(Marker);
}
