using System.Threading.Channels;
using ModelContextProtocol;

namespace Mcp.Cluster.Integrations;

/// <summary>
/// The way back from an upstream to the client of one proxied tool call. The SDK hands each message it reads to its
/// handler on its own task, so reports, log lines and requests can reach the grain out of order, and the last ones
/// after the call's result. <see cref="CallTaggingHandler"/> numbers the messages of the call's response stream as
/// they arrive on the wire; the relay passes them on in that order and lets the result wait until every numbered
/// message has been passed on.
/// </summary>
internal sealed class CallRelay(ChannelWriter<IntegrationCallEvent> writer)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, IntegrationCallEvent?> _early = [];
    private int _numbered;
    private int _next;
    private float? _progress;

    /// <summary>Numbers the next message of the call's response stream (wire order).</summary>
    public int Number() => Interlocked.Increment(ref _numbered) - 1;

    /// <summary>
    /// A message arrived: passed on once every message numbered before it has been (<paramref name="sequence"/> null:
    /// at once). A null <paramref name="step"/> only marks the number as done.
    /// </summary>
    public bool Deliver(int? sequence, IntegrationCallEvent? step)
    {
        lock (_gate)
        {
            if (sequence is not { } number)
            {
                return step is null || Write(step);
            }
            if (number != _next)
            {
                _early[number] = step;
                return true;
            }
            var written = step is null || Write(step);
            _next++;
            while (_early.Remove(_next, out var waiting))
            {
                if (waiting is not null)
                {
                    Write(waiting);
                }
                _next++;
            }
            return written;
        }
    }

    /// <summary>A progress report (see <see cref="Write"/> for the ones dropped).</summary>
    public void Progress(int? sequence, ProgressNotificationValue value) =>
        Deliver(sequence, new IntegrationCallEvent(value.Progress, value.Total, value.Message, null));

    /// <summary>Waits (at most <paramref name="limit"/>) until every numbered message has been passed on.</summary>
    public async Task SettledAsync(TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + limit;
        while (Pending() && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), time, cancellationToken);
        }
        lock (_gate)
        {
            // Whatever is still missing will not come: pass on what waits behind it.
            foreach (var waiting in _early.Values)
            {
                if (waiting is not null)
                {
                    Write(waiting);
                }
            }
            _early.Clear();
        }
    }

    private bool Pending()
    {
        lock (_gate)
        {
            return _next < Volatile.Read(ref _numbered);
        }
    }

    /// <summary>
    /// Progress must increase with each notification (MCP): a report not beyond one already passed on is dropped.
    /// </summary>
    private bool Write(IntegrationCallEvent step)
    {
        if (step.ClientMessage is null && step.ResultJson is null)
        {
            if (_progress is { } passed && step.Progress <= passed)
            {
                return true;
            }
            _progress = step.Progress;
        }
        return writer.TryWrite(step);
    }
}
