namespace Mcp.Cluster.Client;

/// <summary>
/// Where the gateway is, which key to send and how patiently to retry. Settable properties so it binds from
/// configuration (<c>configuration.GetSection("Mcp").Bind(options)</c>).
/// </summary>
public sealed class McpClientOptions
{
    /// <summary>The gateway's address, e.g. <c>http://localhost:8000</c>. Null: the HttpClient's own BaseAddress.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>X-API-Key</c> on every request. Null sends none (only self-service key creation works then).</summary>
    public string? ApiKey { get; set; }

    /// <summary>How many times a 429 or 503 that carries <c>Retry-After</c> is tried again (0: never).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The longest <c>Retry-After</c> the client waits out; a longer one is thrown at once.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock retries wait on (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Never shows the key, so logging the options cannot leak it.</summary>
    public override string ToString() =>
        $"McpClientOptions {{ BaseAddress = {BaseAddress}, ApiKey = {(ApiKey is null ? "none" : "***")}, MaxRetries = {MaxRetries}, MaxRetryDelay = {MaxRetryDelay} }}";

    internal void Validate()
    {
        if (BaseAddress is { IsAbsoluteUri: false })
        {
            throw new ArgumentException("BaseAddress must be an absolute URI such as http://localhost:8000.", nameof(BaseAddress));
        }
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries cannot be negative.");
        }
        if (MaxRetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay, "MaxRetryDelay cannot be negative.");
        }
        if (ApiKey is not null && (ApiKey.Length == 0 || ApiKey.Any(char.IsControl)))
        {
            // A header value with a line break would be refused by HttpClient anyway; say so without echoing the key.
            throw new ArgumentException("ApiKey must be a non-empty value without control characters.", nameof(ApiKey));
        }
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
