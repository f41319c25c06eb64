using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Hosting;

/// <summary>
/// Runs a silo or gateway host and turns a failed start (a database without the schema, a port in use, bad settings)
/// into one logged line and exit code 1. Left unhandled, the exception escapes Main and the runtime aborts the process
/// (SIGABRT, exit 134), which supervisors and scripts read as a crash rather than a configuration error.
/// </summary>
public static class McpHostRunner
{
    public const int StartupFailed = 1;

    public static async Task<int> RunAsync(IHost host, string role)
    {
        // Taken before the run: RunAsync disposes the host (and its service provider) before its exception reaches us.
        // A console logger that is already disposed still writes, synchronously.
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mcp.Cluster.Startup");
        try
        {
            await host.RunAsync();
            return 0;
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "The {Role} stopped: {Reason}", role, e.GetBaseException().Message);
            return StartupFailed;
        }
    }
}
