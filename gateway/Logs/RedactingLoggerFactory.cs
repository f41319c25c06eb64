namespace Mcp.Cluster.Gateway.Logs;

/// <summary>
/// Wraps the logger factory so that every provider (console, <see cref="RecentLogs"/>, whatever an operator adds)
/// gets log lines with <see cref="LogRedactor"/> applied. This is the one place that sees ASP.NET Core's own
/// "Request starting … ?api_key=…" lines, which are written before any middleware could hide the query string.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }
            var message = formatter(state, exception);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            if (!LogRedactor.MayHoldSecret(message) && (values is null || !values.Any(v => LogRedactor.MayHoldSecret(Text(v.Value)))))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            var redacted = LogRedactor.Redact(message);
            var redactedValues = values?.Select(v => v.Key == "{OriginalFormat}" || Text(v.Value) is not { } text || !LogRedactor.MayHoldSecret(text)
                    ? v
                    : new KeyValuePair<string, object?>(v.Key, LogRedactor.Redact(text)))
                .ToArray() ?? [];
            inner.Log(logLevel, eventId, new RedactedState(redactedValues, redacted), exception, static (s, _) => s.Message);
        }
    }

    /// <summary>What a value shows in a log line; numbers and dates cannot hold a secret (a query string or URL can).</summary>
    private static string? Text(object? value) => value switch
    {
        null or IFormattable => null,
        string text => text,
        _ => value.ToString(),
    };

    /// <summary>Structured values stay structured (providers read them), with the secrets taken out.</summary>
    private sealed class RedactedState(KeyValuePair<string, object?>[] values, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message { get; } = message;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public int Count => values.Length;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => values.GetEnumerator();

        public override string ToString() => Message;
    }
}
