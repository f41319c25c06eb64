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

    public static async Task<string> StatusOfAsync(this HttpClient client, string modelId) =>
        (await client.GetJsonAsync($"/api/models/{modelId}/status")).GetProperty("status").GetString()!;
}
