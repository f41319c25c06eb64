using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Mcp.Cluster.Changes;

/// <summary>
/// Publishes <see cref="CatalogChange"/>s from grains. A failed publish is logged and swallowed: notifications are a
/// convenience for connected clients, never a reason to fail the change itself.
/// </summary>
public static class CatalogChangePublisher
{
    public static async Task PublishAsync(this Grain grain, CatalogChangeKind kind, string? name, TimeProvider time, ILogger logger)
    {
        try
        {
            var stream = grain.GetStreamProvider(ChangeStreams.Provider)
                .GetStream<CatalogChange>(StreamId.Create(ChangeStreams.Namespace, ChangeStreams.Key));
            await stream.OnNextAsync(new CatalogChange(kind, name, time.GetUtcNow()));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Publishing a {Kind} change ({Name}) failed; connected MCP clients are not notified", kind, name);
        }
    }
}
