using System.Globalization;
using System.Text;

namespace Mcp.Cluster.Bench;

/// <summary>The proxy bench's Markdown table (a range over rounds in each cell) and its pass/miss lines per target.</summary>
public static class ResultTable
{
    public static string Render(IReadOnlyList<Column> columns, IReadOnlyList<int> connections)
    {
        var table = new StringBuilder();
        table.AppendLine("| | " + string.Join(" | ", columns.Select(c => c.Name)) + " |");
        table.AppendLine("|---|" + string.Concat(columns.Select(_ => "---|")));
        void Row(string label, Func<Column, string> cell) => table.AppendLine($"| {label} | {string.Join(" | ", columns.Select(cell))} |");
        string Range(Column column, int count, Func<Measurement, double> value, Func<double, string> format)
        {
            if (!column.Results.TryGetValue(count, out var list) || list.Count == 0)
            {
                return "–";
            }
            var (low, high) = (format(list.Min(value)), format(list.Max(value)));
            if (low == high)
            {
                return low;
            }
            // "0.52–0.61 ms" rather than "0.52 ms–0.61 ms".
            var unit = low.LastIndexOf(' ');
            return unit > 0 && high.EndsWith(low[unit..], StringComparison.Ordinal) ? $"{low[..unit]}–{high}" : $"{low}–{high}";
        }
        foreach (var count in connections)
        {
            var label = count == 1 ? "1 connection" : $"{count} connections";
            Row($"{label}: p50", c => Range(c, count, m => m.P50, Milliseconds));
            Row($"{label}: p99", c => Range(c, count, m => m.P99, Milliseconds));
            Row($"{label}: req/s", c => Range(c, count, m => m.RequestsPerSecond, v => v.ToString("N0", CultureInfo.InvariantCulture)));
        }
        foreach (var count in connections.OrderByDescending(c => c))
        {
            Row($"CPU per request ({count} conn{(count == 1 ? "" : "s")})", c => Range(c, count, m => m.CpuMicroseconds, Microseconds) + (c.IsStub ? " (stub)" : ""));
        }
        Row("resident memory idle / after the run", c => $"{Megabytes(c.IdleRss)} / {Megabytes(c.AfterRss)}" + (c.IsStub ? " (stub)" : ""));
        return table.ToString().TrimEnd();
    }

    /// <summary>
    /// One line per target of issue 18 for each of our columns: the mean over the rounds against the limit.
    /// Added latency is ours minus direct at one connection.
    /// </summary>
    public static IEnumerable<string> Targets(IReadOnlyList<Column> columns)
    {
        var direct = columns.FirstOrDefault(c => c.IsStub);
        foreach (var ours in columns.Where(c => c.IsOurs))
        {
            yield return $"{ours.Name}: " + string.Join("; ", Checks(ours, direct));
        }
    }

    private static IEnumerable<string> Checks(Column ours, Column? direct)
    {
        double? Mean(Column? column, int connections, Func<Measurement, double> value) =>
            column is not null && column.Results.TryGetValue(connections, out var list) && list.Count > 0 ? list.Average(value) : null;
        yield return Check("CPU/request at 32 conns", Mean(ours, 32, m => m.CpuMicroseconds), 100, Microseconds);
        yield return Check("CPU/request at 1 conn", Mean(ours, 1, m => m.CpuMicroseconds), 200, Microseconds);
        yield return Check("added p50 at 1 conn", Mean(ours, 1, m => m.P50) - Mean(direct, 1, m => m.P50), 0.25, Milliseconds);
        yield return Check("added p99 at 1 conn", Mean(ours, 1, m => m.P99) - Mean(direct, 1, m => m.P99), 1.5, Milliseconds);
        yield return Check("idle RSS", ours.IdleRss / 1048576.0, 150, v => $"{v:F0} MB");
    }

    /// <summary>"name 123 µs ≤ 100 µs: miss"; "not measured" when a figure is missing.</summary>
    public static string Check(string name, double? value, double limit, Func<double, string> format) =>
        value is not { } v || double.IsNaN(v)
            ? $"{name}: not measured"
            : $"{name} {format(v)} (≤ {format(limit)}): {(v <= limit ? "pass" : "MISS")}";

    public static string Milliseconds(double value) =>
        double.IsNaN(value) ? "–" : value < 0.1 ? $"{value.ToString("F3", CultureInfo.InvariantCulture)} ms" : $"{value.ToString("F2", CultureInfo.InvariantCulture)} ms";

    public static string Microseconds(double value) => double.IsNaN(value) ? "–" : $"{value.ToString("N0", CultureInfo.InvariantCulture)} µs";

    private static string Megabytes(long bytes) => bytes <= 0 ? "–" : $"{bytes / 1048576.0:F0} MB";
}
