using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Startup;

/// <summary>
/// The user guide (the seed document our users follow), top to bottom, against a gateway started the README's way
/// with no settings at all: every payload is the guide's, pasted as written with only the key and model id
/// substituted, and every documented response shape is checked. Then the node restarts and the same key, models and
/// predictions still work. The guide's "Simple Client" (Python, requests) runs unchanged against it.
/// </summary>
[Trait("Tier", "System")]
[Collection(DefaultPortCollection.Name)]
public sealed partial class UserGuideWalkTests
{
    private static readonly Uri GuideAddress = new("http://localhost:8000");

    [Fact]
    public async Task Every_example_of_the_user_guide_does_what_the_guide_shows_before_and_after_a_restart()
    {
        using var contentRoot = new TempDirectory();
        File.Copy(Path.Combine(CommandLine.RepositoryRoot, "gateway", "appsettings.json"), Path.Combine(contentRoot.Path, "appsettings.json"));
        using var http = new HttpClient { BaseAddress = GuideAddress, Timeout = TimeSpan.FromSeconds(60) };

        string key, modelId, keyId;
        await using (var node = NodeProcess.Start("guide-gateway", "gateway", new Dictionary<string, string>(), contentRoot.Path))
        {
            await node.WaitUntilReadyAsync(GuideAddress, TimeSpan.FromMinutes(3));

            // Getting an API key: no key needed, only owner and description.
            var created = await SendAsync(http, HttpMethod.Post, "/api/keys", null, """
                {
                    "owner": "your.email@example.com",
                    "description": "Model deployment key"
                  }
                """, HttpStatusCode.Created);
            key = created.GetProperty("api_key").GetString()!;
            keyId = created.GetProperty("key_id").GetString()!;
            Assert.StartsWith("mcp_", key);
            Assert.Equal(["read", "write", "execute"], created.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
            Assert.Equal("100/minute", created.GetProperty("rate_limit").GetString());
            Assert.InRange(created.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(364.9), DateTimeOffset.UtcNow.AddDays(365.1));

            // Registering your model: the guide's metadata has no provider, so the model is registered without a backend.
            var registered = await SendAsync(http, HttpMethod.Post, "/api/models", key, SentimentAnalyzer, HttpStatusCode.Created);
            modelId = registered.GetProperty("model_id").GetString()!;
            Assert.Matches("^mod_[a-z0-9]+$", modelId);
            Assert.Equal("registered", registered.GetProperty("status").GetString());
            Assert.Equal($"/api/models/{modelId}/predict", registered.GetProperty("endpoint").GetString());

            // Until a backend is attached a prediction says so, and how to attach one.
            var notDeployed = await SendAsync(http, HttpMethod.Post, $"/api/models/{modelId}/predict", key, Amazing, HttpStatusCode.Conflict);
            Assert.Equal("model_not_deployed", notDeployed.GetProperty("error").GetString());
            Assert.Contains($"PATCH /api/models/{modelId}", notDeployed.GetProperty("detail").GetString());
            Assert.Equal(modelId, notDeployed.GetProperty("model_id").GetString());
            await SendAsync(http, new HttpMethod("PATCH"), $"/api/models/{modelId}", key,
                """{"provider": "builtin", "config": {"model": "sentiment"}}""", HttpStatusCode.OK);

            await MakePredictionsAsync(http, key, modelId);

            // Monitoring usage.
            var status = await SendAsync(http, HttpMethod.Get, $"/api/models/{modelId}/status", key, null, HttpStatusCode.OK);
            Assert.Equal("active", status.GetProperty("status").GetString());
            Assert.Equal(3, status.GetProperty("total_requests").GetInt64());
            Assert.Matches(LatencyPattern(), status.GetProperty("average_latency").GetString());
            Assert.Equal(JsonValueKind.Null, status.GetProperty("last_error").ValueKind);

            var metrics = await SendAsync(http, HttpMethod.Get, $"/api/models/{modelId}/metrics", key, null, HttpStatusCode.OK);
            var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Equal(3, metrics.GetProperty("daily_requests").GetProperty(today).GetInt64());
            Assert.Equal("0%", metrics.GetProperty("error_rate").GetString());
            Assert.Matches(LatencyPattern(), metrics.GetProperty("average_response_time").GetString());

            // Error handling: invalid input, and the model error of a registration that needs an operator setting.
            var invalid = await SendAsync(http, HttpMethod.Post, $"/api/models/{modelId}/predict", key, """{"txt": "typo"}""", HttpStatusCode.BadRequest);
            Assert.Equal("validation_error", invalid.GetProperty("error").GetString());
            Assert.Equal("Required field 'text' is missing", invalid.GetProperty("detail").GetString());

            // The other registrations of the guide, as written.
            await SendAsync(http, HttpMethod.Post, "/api/models", key, JobMarketPredictor, HttpStatusCode.Created);
            var gpt = await SendAsync(http, HttpMethod.Post, "/api/models", key, GptWrapper, HttpStatusCode.Created);
            await SendAsync(http, HttpMethod.Post, "/api/models", key, BertSentiment, HttpStatusCode.Created);
            await SendAsync(http, HttpMethod.Post, "/api/models", key, InternalClassifier, HttpStatusCode.Created);
            var gptId = gpt.GetProperty("model_id").GetString()!;
            // No operator credential is configured here, so nothing is sent to OpenAI: the model names what is missing.
            var modelError = await SendAsync(http, HttpMethod.Post, $"/api/models/{gptId}/predict", key, """
                {
                    "messages": [
                      {
                        "role": "system",
                        "content": "You are a helpful assistant."
                      },
                      {
                        "role": "user",
                        "content": "What is the capital of France?"
                      }
                    ],
                    "temperature": 0.7
                  }
                """, HttpStatusCode.BadGateway);
            Assert.Equal("model_error", modelError.GetProperty("error").GetString());
            Assert.Contains("Providers:OpenAI:ApiKey", modelError.GetProperty("detail").GetString());
            Assert.Equal(gptId, modelError.GetProperty("model_id").GetString());
            var internalStatus = await SendAsync(http, HttpMethod.Get, "/api/models/internal-classifier", key, null, HttpStatusCode.OK);
            Assert.Equal("internal", internalStatus.GetProperty("model_type").GetString());
            Assert.Equal(32, internalStatus.GetProperty("config").GetProperty("batch_size").GetInt32());
            Assert.Equal("2GB", internalStatus.GetProperty("config").GetProperty("memory_requirement").GetString());

            // "Using Data Sources in Your Model": the guide's data query, with its relative period.
            var jobs = await SendAsync(http, HttpMethod.Post, "/api/data/query", key, """
                {"source": "jobs_db", "query": {"title": "Software Engineer", "location": "Austin, TX", "posted_date": "last_6m"}}
                """, HttpStatusCode.OK);
            Assert.True(jobs.GetProperty("row_count").GetInt32() > 0);
            foreach (var row in jobs.GetProperty("rows").EnumerateArray())
            {
                Assert.Equal("Software Engineer", row.GetProperty("title").GetString());
                Assert.InRange(row.GetProperty("posted_date").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMonths(-6).AddDays(-1), DateTimeOffset.UtcNow);
            }

            // The guide's Python "Simple Client", unchanged but for the key and the model id.
            await RunSimpleClientAsync(key, modelId);

            // Swagger UI and ReDoc, where the guide says they are.
            using (var docs = await http.GetAsync("/docs"))
            {
                Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
            }
            using (var redoc = await http.GetAsync("/redoc"))
            {
                Assert.Equal(HttpStatusCode.OK, redoc.StatusCode);
            }

            await node.StopAsync(TimeSpan.FromMinutes(1));
        }

        // Restarted, everything the guide set up is still there and works.
        await using (var node = NodeProcess.Start("guide-gateway-restarted", "gateway", new Dictionary<string, string>(), contentRoot.Path))
        {
            await node.WaitUntilReadyAsync(GuideAddress, TimeSpan.FromMinutes(3));
            await MakePredictionsAsync(http, key, modelId);
            var status = await SendAsync(http, HttpMethod.Get, $"/api/models/{modelId}/status", key, null, HttpStatusCode.OK);
            Assert.True(status.GetProperty("total_requests").GetInt64() >= 6);

            // Managing API keys: a second key of the same owner (made with the first), listed, rate limited as the
            // guide documents, then revoked with the first.
            var second = await SendAsync(http, HttpMethod.Post, "/api/keys", key, """
                {"owner": "your.email@example.com", "description": "CI key"}
                """, HttpStatusCode.Created);
            var secondId = second.GetProperty("key_id").GetString()!;
            var secondKey = second.GetProperty("api_key").GetString()!;
            var listed = await SendAsync(http, HttpMethod.Get, "/api/keys", key, null, HttpStatusCode.OK);
            Assert.Contains(keyId, listed.GetRawText());
            Assert.Contains(secondId, listed.GetRawText());
            await ExceedTheRateLimitAsync(http, secondKey);
            await SendAsync(http, HttpMethod.Delete, $"/api/keys/{secondId}", key, null, HttpStatusCode.OK);
            using var afterRevoke = Request(HttpMethod.Get, "/api/keys/me", secondKey, null);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(afterRevoke)).StatusCode);
        }
    }

    /// <summary>The guide's "Making Predictions": one input, then the batch of two.</summary>
    private static async Task MakePredictionsAsync(HttpClient http, string key, string modelId)
    {
        using (var request = Request(HttpMethod.Post, $"/api/models/{modelId}/predict", key, Amazing))
        using (var response = await http.SendAsync(request))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            var prediction = JsonDocument.Parse(body).RootElement;
            Assert.Equal("positive", prediction.GetProperty("sentiment").GetString());
            Assert.InRange(prediction.GetProperty("confidence").GetDouble(), 0.5, 1);
            // Rate limit headers in responses.
            Assert.Equal("100", response.Headers.GetValues("X-RateLimit-Limit").Single());
            Assert.InRange(int.Parse(response.Headers.GetValues("X-RateLimit-Remaining").Single(), CultureInfo.InvariantCulture), 0, 99);
            var reset = long.Parse(response.Headers.GetValues("X-RateLimit-Reset").Single(), CultureInfo.InvariantCulture);
            Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(reset), DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(61));
        }

        var batch = await SendAsync(http, HttpMethod.Post, $"/api/models/{modelId}/predict/batch", key, """
            {
                "inputs": [
                  {"text": "This product is amazing!"},
                  {"text": "Not satisfied with the quality."}
                ]
              }
            """, HttpStatusCode.OK);
        var predictions = batch.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(2, predictions.Length);
        Assert.Equal("positive", predictions[0].GetProperty("sentiment").GetString());
        Assert.Equal("negative", predictions[1].GetProperty("sentiment").GetString());
        Assert.All(predictions, p => Assert.InRange(p.GetProperty("confidence").GetDouble(), 0.5, 1));
    }

    /// <summary>"Rate limit exceeded": the guide's error body, with <c>reset_time</c> in Unix seconds like the header.</summary>
    private static async Task ExceedTheRateLimitAsync(HttpClient http, string key)
    {
        for (var i = 0; i < 101; i++)
        {
            using var request = Request(HttpMethod.Get, "/api/keys/me", key, null);
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                continue;
            }
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("rate_limit_exceeded", body.GetProperty("error").GetString());
            Assert.Matches(@"^Too many requests\. Try again in \d+ seconds\.$", body.GetProperty("detail").GetString());
            var resetTime = body.GetProperty("reset_time");
            Assert.Equal(JsonValueKind.Number, resetTime.ValueKind);
            Assert.Equal(response.Headers.GetValues("X-RateLimit-Reset").Single(), resetTime.GetInt64().ToString(CultureInfo.InvariantCulture));
            return;
        }
        Assert.Fail("101 requests within the minute were all admitted under a 100/minute limit");
    }

    private static async Task RunSimpleClientAsync(string key, string modelId)
    {
        var script = await File.ReadAllTextAsync(Path.Combine(CommandLine.RepositoryRoot, "tests", "Startup", "Guide", "simple_client.py"));
        Assert.Contains("\"your_api_key\"", script);
        Assert.Contains("\"mod_xxxxx\"", script);
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "simple_client.py");
        await File.WriteAllTextAsync(path, script.Replace("your_api_key", key, StringComparison.Ordinal).Replace("mod_xxxxx", modelId, StringComparison.Ordinal));
        var start = new ProcessStartInfo("python3", [path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEndAsync();
        var errors = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(python.ExitCode == 0, $"python3 simple_client.py exited {python.ExitCode}: {await errors}");
        // Python prints the dict it decoded: {'sentiment': 'positive', 'confidence': 0.9…, …}
        Assert.Matches(@"^\{'sentiment': 'positive', 'confidence': 0\.\d+", (await output).Trim());
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, string? key, string? json, HttpStatusCode expected)
    {
        using var request = Request(method, path, key, json);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? key, string? json)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("X-API-Key", key);
        }
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        return request;
    }

    private const string Amazing = """
        {
            "text": "This product is amazing!"
          }
        """;

    private const string SentimentAnalyzer = """
        {
          "name": "sentiment-analyzer",
          "version": "1.0.0",
          "description": "BERT-based sentiment analysis model",
          "input_schema": {
            "type": "object",
            "properties": {
              "text": {"type": "string"}
            }
          },
          "output_schema": {
            "type": "object",
            "properties": {
              "sentiment": {"type": "string", "enum": ["positive", "negative", "neutral"]},
              "confidence": {"type": "number"}
            }
          }
        }
        """;

    private const string JobMarketPredictor = """
        {
            "name": "job-market-predictor",
            "version": "1.0.0",
            "description": "Predicts job market trends using historical data",
            "data_sources": [
              {
                "name": "jobs_db",
                "access_type": "read",
                "required_fields": ["title", "salary_range", "location"]
              },
              {
                "name": "market_analytics",
                "access_type": "read",
                "snowflake_table": "MARKET_ANALYTICS.JOB_TRENDS"
              }
            ],
            "input_schema": {
              "type": "object",
              "properties": {
                "job_title": {"type": "string"},
                "location": {"type": "string"},
                "timeframe": {"type": "string", "enum": ["3m", "6m", "1y"]}
              }
            },
            "output_schema": {
              "type": "object",
              "properties": {
                "predicted_salary_range": {
                  "type": "object",
                  "properties": {
                    "min": {"type": "number"},
                    "max": {"type": "number"}
                  }
                },
                "market_demand": {"type": "string", "enum": ["high", "medium", "low"]},
                "growth_trend": {"type": "number"}
              }
            }
          }
        """;

    private const string GptWrapper = """
        {
            "name": "gpt-wrapper",
            "version": "1.0.0",
            "description": "GPT-3.5 Turbo wrapper for chat completion",
            "model_type": "third_party",
            "provider": "openai",
            "input_schema": {
              "type": "object",
              "properties": {
                "messages": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "role": {
                        "type": "string",
                        "enum": ["system", "user", "assistant"]
                      },
                      "content": {
                        "type": "string"
                      }
                    },
                    "required": ["role", "content"]
                  }
                },
                "temperature": {
                  "type": "number",
                  "minimum": 0,
                  "maximum": 2,
                  "default": 1
                }
              },
              "required": ["messages"]
            },
            "output_schema": {
              "type": "object",
              "properties": {
                "response": {
                  "type": "string"
                },
                "usage": {
                  "type": "object",
                  "properties": {
                    "prompt_tokens": {"type": "integer"},
                    "completion_tokens": {"type": "integer"},
                    "total_tokens": {"type": "integer"}
                  }
                }
              }
            },
            "config": {
              "requires_api_key": true,
              "provider_model": "gpt-3.5-turbo",
              "max_tokens": 4096
            }
          }
        """;

    private const string BertSentiment = """
        {
          "name": "bert-sentiment",
          "version": "1.0.0",
          "description": "BERT model from Hugging Face for sentiment analysis",
          "model_type": "third_party",
          "provider": "huggingface",
          "input_schema": {
            "type": "object",
            "properties": {
              "text": {"type": "string"},
              "options": {
                "type": "object",
                "properties": {
                  "return_all_scores": {"type": "boolean"}
                }
              }
            }
          },
          "config": {
            "model_id": "nlptown/bert-base-multilingual-uncased-sentiment",
            "requires_api_key": true
          }
        }
        """;

    internal const string InternalClassifier = """
        {
          "name": "internal-classifier",
          "version": "2.0.0",
          "description": "Custom-trained classifier for internal use",
          "model_type": "internal",
          "input_schema": {
            "type": "object",
            "properties": {
              "features": {
                "type": "array",
                "items": {"type": "number"}
              }
            }
          },
          "config": {
            "batch_size": 32,
            "requires_gpu": true,
            "memory_requirement": "2GB"
          }
        }
        """;

    [GeneratedRegex(@"^\d+(\.\d)?ms$")]
    private static partial Regex LatencyPattern();
}
