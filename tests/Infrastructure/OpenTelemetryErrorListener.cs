using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// Collects the warnings and errors OpenTelemetry reports through its event sources (a failed collection leaves
/// <c>/metrics</c> answering 200 with an empty body, and says why only there), for test failure messages.
/// </summary>
public sealed class OpenTelemetryErrorListener : EventListener
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyCollection<string> Events => _events;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("OpenTelemetry", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (_events.Count < 50)
        {
            var message = e.Message is { } format && e.Payload is { } payload ? string.Format(format, payload.ToArray()) : e.EventName;
            _events.Enqueue($"{e.EventSource.Name} {e.Level}: {message}");
        }
    }
}
