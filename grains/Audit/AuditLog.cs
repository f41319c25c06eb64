using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Audit;

/// <summary>
/// Appends audit entries durably with group commit: a read waits until its entry is committed, and every read that
/// arrives while a batch is being written goes into the next batch, so audit costs one transaction per batch rather
/// than one per read. Data is only returned once its audit entry is stored.
/// </summary>
public sealed class AuditLog(IAuditStore store, IOptions<AuditLogOptions> options, ILogger<AuditLog> logger) : BackgroundService
{
    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.Value.MaxPending)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Completes when the entry is committed; throws when it cannot be (the caller must then withhold the data).</summary>
    public async Task AppendAsync(AuditEntry entry)
    {
        var pending = new Pending(entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new AuditUnavailableException("The audit log is backed up; the read was refused rather than left unaudited.");
        }
        await pending.Written.Task.WaitAsync(options.Value.WriteTimeout);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(options.Value.MaxBatchSize);
        var entries = new List<AuditEntry>(options.Value.MaxBatchSize);
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < options.Value.MaxBatchSize && _pending.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                    entries.Add(next.Entry);
                }
                try
                {
                    await store.AppendAsync(entries, stoppingToken);
                    batch.ForEach(p => p.Written.TrySetResult());
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Writing {Count} audit entries failed; the reads they belong to are refused", batch.Count);
                    var failure = new AuditUnavailableException("The audit log cannot be written; the read was refused.", e);
                    batch.ForEach(p => p.Written.TrySetException(failure));
                }
                batch.Clear();
                entries.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Whatever is still queued at shutdown is refused, never silently dropped as if written.
        while (_pending.Reader.TryRead(out var left))
        {
            left.Written.TrySetException(new AuditUnavailableException("The silo is shutting down."));
        }
    }

    private sealed record Pending(AuditEntry Entry, TaskCompletionSource Written);
}
