using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Mcp.Cluster.Hosting;

/// <summary>
/// Console log lines of silos and gateways start with a UTC timestamp (<c>2026-12-01T14:47:49.123Z</c>) so the logs of
/// several processes can be lined up. <c>Logging:Console:FormatterOptions:TimestampFormat</c> (and
/// <c>UseUtcTimestamp</c>) still override it; this only fills in a format nobody configured.
/// </summary>
public static class McpConsoleLogging
{
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";

    public static ILoggingBuilder AddMcpConsoleTimestamps(this ILoggingBuilder logging)
    {
        // Without a formatter name the console provider copies its own (obsolete, unset) timestamp settings over the
        // simple formatter's; naming the formatter it would have picked anyway keeps ours.
        logging.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName ??= ConsoleFormatterNames.Simple);
        logging.Services.PostConfigure<SimpleConsoleFormatterOptions>(UseDefault);
        logging.Services.PostConfigure<ConsoleFormatterOptions>(UseDefault);
        return logging;
    }

    private static void UseDefault(ConsoleFormatterOptions options)
    {
        if (options.TimestampFormat is null)
        {
            options.TimestampFormat = TimestampFormat;
            options.UseUtcTimestamp = true;
        }
    }
}
