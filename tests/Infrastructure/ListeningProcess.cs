using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>A server program the tests start (Redis, Azurite): running until disposed, ready once its port accepts connections.</summary>
public sealed class ListeningProcess : IDisposable
{
    private readonly Process _process;

    private ListeningProcess(Process process) => _process = process;

    /// <exception cref="InvalidOperationException">The program is not installed (<paramref name="howToInstall"/> says how).</exception>
    public static async Task<ListeningProcess> StartAsync(string program, IReadOnlyList<string> arguments, int port, TimeSpan timeout,
        string howToInstall, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} could not be started; {howToInstall}.", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var running = new ListeningProcess(process);
        timeout = Deadlines.Scaled(timeout);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return running;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        running.Dispose();
        throw new TimeoutException($"{program} did not listen on port {port} within {timeout.TotalSeconds:0} s.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
