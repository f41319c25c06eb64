using System.Globalization;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// Deadlines for what the tests wait on outside their own code (processes becoming ready, servers listening, commands
/// finishing), stretched on a loaded machine. A wait that sees its state returns at once, so a long deadline costs
/// nothing when things work; a fixed one fails healthy runs on a machine shared with other builds.
/// </summary>
public static class Deadlines
{
    private const double MaxFactor = 4;

    /// <summary>
    /// <paramref name="quiet"/> (enough on an idle machine) times the load per core now, the 1-minute load average over
    /// the processor count, kept between 1 and 4; <c>MCP_TEST_DEADLINE_FACTOR</c> sets the factor instead.
    /// </summary>
    public static TimeSpan Scaled(TimeSpan quiet) => quiet * Factor();

    public static double Factor()
    {
        if (double.TryParse(Environment.GetEnvironmentVariable("MCP_TEST_DEADLINE_FACTOR"), NumberStyles.Float, CultureInfo.InvariantCulture, out var set)
            && set > 0)
        {
            return set;
        }
        try
        {
            var load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
            return Math.Clamp(load / Environment.ProcessorCount, 1, MaxFactor);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 1;
        }
    }
}
