using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Models.Backends;

/// <summary>JSON-over-HTTP calls shared by the HTTP-based backends, with provider errors turned into <see cref="ModelBackendException"/>.</summary>
public static class ProviderHttp
{
    private const int MaxErrorExcerpt = 500;

    public static HttpRequestMessage JsonRequest(HttpMethod method, Uri uri, JsonNode? body, IReadOnlyDictionary<string, string> headers)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in headers)
        {
            OutboundHeaders.Add(request, name, value);
        }
        return request;
    }

    public static async Task<JsonNode?> SendJsonAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(http, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw new ModelBackendException($"The provider answered HTTP {(int)response.StatusCode} with a body that is not JSON: {Excerpt(text)}",
                (int)response.StatusCode);
        }
    }

    /// <summary>Sends and returns a successful response; anything else becomes a <see cref="ModelBackendException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ModelBackendException($"The provider at {request.RequestUri?.GetLeftPart(UriPartial.Authority)} is unreachable: {e.Message}", inner: e);
        }
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new ModelBackendException($"The provider returned HTTP {(int)response.StatusCode}: {ErrorMessage(body)}", (int)response.StatusCode);
            }
        }
        return response;
    }

    /// <summary>GET that only has to answer 2xx; used by health checks.</summary>
    public static async Task<BackendHealth> ProbeAsync(HttpClient http, Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        try
        {
            using var request = JsonRequest(HttpMethod.Get, uri, null, headers);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode
                ? BackendHealth.Ok
                : BackendHealth.Failed($"GET {uri.GetLeftPart(UriPartial.Path)} returned HTTP {(int)response.StatusCode}.");
        }
        catch (HttpRequestException e)
        {
            return BackendHealth.Failed($"GET {uri.GetLeftPart(UriPartial.Path)} failed: {e.Message}");
        }
    }

    /// <summary>Providers put the reason in <c>error</c> (a string or <c>{message}</c>); fall back to the raw body.</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject obj)
            {
                switch (obj["error"])
                {
                    case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                        return Excerpt(v.GetValue<string>());
                    case JsonObject e when e["message"] is JsonValue m && m.GetValueKind() == JsonValueKind.String:
                        return Excerpt(m.GetValue<string>());
                }
            }
        }
        catch (JsonException)
        {
        }
        return Excerpt(body);
    }

    private static string Excerpt(string text) =>
        string.IsNullOrWhiteSpace(text) ? "(empty body)" : text.Length > MaxErrorExcerpt ? text[..MaxErrorExcerpt] + "…" : text;
}
