using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Logs;

public sealed class RecentLogsOptions
{
    public const string Section = "Logs";

    /// <summary>Entries kept in memory for <c>GET /logs</c>; the oldest go first.</summary>
    [Positive]
    public int Capacity { get; set; } = 2000;

    /// <summary>The lowest level kept.</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;
}

/// <summary>One log entry as <c>GET /logs</c> returns it: the message, and the structured values it was logged with.</summary>
public sealed record LogEntry(
    long Sequence, DateTimeOffset Timestamp, string Level, string Category, int EventId, string Message,
    IReadOnlyDictionary<string, string?> Properties, string? Exception);

/// <summary>
/// A logger provider that keeps the most recent entries of this process in a ring buffer, with their structured
/// values, so admins can look at what just happened without a log pipeline (<c>GET /logs</c>).
/// </summary>
public sealed class RecentLogs(IOptions<RecentLogsOptions> options, TimeProvider time) : ILoggerProvider
{
    private readonly LogEntry?[] _entries = new LogEntry?[Math.Max(1, options.Value.Capacity)];
    private readonly Lock _gate = new();
    private long _next;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Newest first, filtered; at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<LogEntry> Read(LogLevel minimum, string? category, long? beforeSequence, int limit)
    {
        lock (_gate)
        {
            var found = new List<LogEntry>(Math.Min(limit, _entries.Length));
            for (var sequence = _next - 1; sequence >= Math.Max(0, _next - _entries.Length) && found.Count < limit; sequence--)
            {
                var entry = _entries[sequence % _entries.Length];
                if (entry is null || (beforeSequence is { } before && entry.Sequence >= before)
                    || Enum.Parse<LogLevel>(entry.Level, ignoreCase: true) < minimum
                    || (category is not null && !entry.Category.StartsWith(category, StringComparison.Ordinal)))
                {
                    continue;
                }
                found.Add(entry);
            }
            return found;
        }
    }

    private void Add(LogLevel level, string category, EventId eventId, string message, IReadOnlyDictionary<string, string?> properties, Exception? exception)
    {
        lock (_gate)
        {
            var sequence = _next++;
            _entries[sequence % _entries.Length] = new LogEntry(sequence, time.GetUtcNow(), level.ToString(), category, eventId.Id, message, properties,
                exception is null ? null : $"{exception.GetType().FullName}: {exception.Message}");
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(RecentLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (name, value) in values)
                {
                    if (name != "{OriginalFormat}")
                    {
                        properties[name] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
            owner.Add(logLevel, category, eventId, formatter(state, exception), properties, exception);
        }
    }

    private LogLevel MinimumLevel => options.Value.MinimumLevel;
}
