using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mcp.Cluster.Tests.Infrastructure;

public static class ModelTestHelpers
{
    /// <summary>Registers a model through the API and returns its id; fails the test on anything but 201.</summary>
    public static async Task<string> RegisterModelAsync(this HttpClient client, object registration)
    {
        using var response = await client.PostAsJsonAsync("/api/models", registration);
        var body = await response.AssertOkAsync(HttpStatusCode.Created);
        return body.GetProperty("model_id").GetString()!;
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return await response.AssertOkAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds, for state that changes in the background (health loops).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for: {what}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> until its answer is no longer <paramref name="whileStatus"/> and returns that
    /// first other answer: for a state that ends with time (an expiry, an open circuit, a rate window), polled instead of
    /// slept through, so the test neither waits longer than needed nor fails when the machine is slow.
    /// </summary>
    public static async Task<HttpResponseMessage> FirstAnswerOtherThanAsync(Func<Task<HttpResponseMessage>> request,
        HttpStatusCode whileStatus, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        // What the refusals said, with their count and first time, so a timeout says which refusal never ended.
        var seen = new Dictionary<string, (int Count, DateTime First)>();
        while (true)
        {
            var response = await request();
            if (response.StatusCode != whileStatus)
            {
                return response;
            }
            var error = await response.Content.ReadAsStringAsync();
            response.Dispose();
            var gist = TryDetail(error) ?? error;
            seen[gist] = seen.TryGetValue(gist, out var s) ? (s.Count + 1, s.First) : (1, DateTime.UtcNow);
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Still {(int)whileStatus} after {timeout.TotalSeconds} s: {what}; the answers were:\n"
                    + string.Join('\n', seen.Select(a => $"  {a.Value.Count} from {a.Value.First:HH:mm:ss.fff}: {a.Key}")));
            }
            await Task.Delay(50);
        }
    }

    private static string? TryDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task<string> StatusOfAsync(this HttpClient client, string modelId) =>
        (await client.GetJsonAsync($"/api/models/{modelId}/status")).GetProperty("status").GetString()!;
}
