namespace Mcp.Cluster.Bench;

/// <summary>CPU time and resident memory of any process on this machine, read from /proc (Linux only).</summary>
public static class ProcessStats
{
    /// <summary>Clock ticks per second of /proc/PID/stat (USER_HZ); 100 on every Linux the bench runs on.</summary>
    private const double TicksPerSecond = 100.0;

    /// <summary>CPU time (user and system) the process has used.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        // Fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces) in clock ticks.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Resident set (current, VmRSS) and its peak (VmHWM), in bytes.</summary>
    public static (long Rss, long Peak) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }
        return (rss, peak);
    }

    /// <summary>The 1-minute load average of the machine, to note how busy it was while measuring.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
}
