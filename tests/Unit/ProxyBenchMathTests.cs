using System.Text;
using Mcp.Cluster.Bench;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>The proxy bench's figures: percentiles, CPU per request, and where a keep-alive response ends.</summary>
[Trait("Tier", "Unit")]
public sealed class ProxyBenchMathTests
{
    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var sorted = Enumerable.Range(1, 100).Select(i => (double)i).ToList();
        Assert.Equal(50, LatencyStats.Percentile(sorted, 0.50));
        Assert.Equal(99, LatencyStats.Percentile(sorted, 0.99));
        Assert.Equal(100, LatencyStats.Percentile(sorted, 1.0));
        Assert.Equal(1, LatencyStats.Percentile(sorted, 0.0));
        Assert.Equal(7, LatencyStats.Percentile([7.0], 0.99));
        Assert.True(double.IsNaN(LatencyStats.Percentile([], 0.5)));
    }

    [Fact]
    public void Cpu_per_request_divides_the_window_cpu_by_the_requests_answered()
    {
        Assert.Equal(250, LatencyStats.CpuMicrosecondsPerRequest(TimeSpan.FromSeconds(1), 4000), 6);
        Assert.True(double.IsNaN(LatencyStats.CpuMicrosecondsPerRequest(TimeSpan.FromSeconds(1), 0)));
        Assert.Equal(5000, LatencyStats.Throughput(50_000, TimeSpan.FromSeconds(10)), 6);
    }

    [Fact]
    public void A_content_length_response_ends_after_its_body()
    {
        var response = Bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 2\r\n\r\n{}");
        Assert.True(HttpResponseFraming.TryParse(response, out var length, out var status, out var close));
        Assert.Equal((response.Length, 200, false), (length, status, close));
        Assert.False(HttpResponseFraming.TryParse(response.AsSpan(0, response.Length - 1), out _, out _, out _));
        Assert.False(HttpResponseFraming.TryParse(response.AsSpan(0, 20), out _, out _, out _));
    }

    [Fact]
    public void A_chunked_response_ends_after_its_last_chunk_and_trailers()
    {
        var response = Bytes("HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\nA;ext=1\r\n0123456789\r\n0\r\n\r\n");
        Assert.True(HttpResponseFraming.TryParse(response, out var length, out var status, out var close));
        Assert.Equal((response.Length, 502, true), (length, status, close));
        for (var cut = 1; cut < response.Length; cut++)
        {
            Assert.False(HttpResponseFraming.TryParse(response.AsSpan(0, cut), out _, out _, out _), $"complete after {cut} bytes");
        }
        var trailers = Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n");
        Assert.True(HttpResponseFraming.TryParse(trailers, out length, out _, out _));
        Assert.Equal(trailers.Length, length);
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);
}
