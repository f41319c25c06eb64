using System.Text.Json;

namespace Mcp.Cluster.Tests.Security.Fuzz;

/// <summary>One operation of the gateway's OpenAPI document, with what the fuzzer needs: where values go.</summary>
public sealed record OpenApiOperation(string Method, string PathTemplate, IReadOnlyList<string> PathParameters,
    IReadOnlyList<OpenApiParameter> QueryParameters, JsonElement? BodySchema, bool HasBody)
{
    public override string ToString() => $"{Method} {PathTemplate}";

    /// <summary>Every operation in <paramref name="document"/>, with <c>$ref</c>s of parameters left to the schema walker.</summary>
    public static IReadOnlyList<OpenApiOperation> ReadAll(JsonElement document)
    {
        var operations = new List<OpenApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var item in path.Value.EnumerateObject())
            {
                var method = item.Name.ToUpperInvariant();
                if (method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE"))
                {
                    continue;
                }
                var pathParameters = new List<string>();
                var query = new List<OpenApiParameter>();
                foreach (var source in new[] { path.Value, item.Value })
                {
                    if (!source.TryGetProperty("parameters", out var parameters))
                    {
                        continue;
                    }
                    foreach (var parameter in parameters.EnumerateArray())
                    {
                        var name = parameter.GetProperty("name").GetString()!;
                        switch (parameter.GetProperty("in").GetString())
                        {
                            case "path":
                                pathParameters.Add(name);
                                break;
                            case "query":
                                query.Add(new OpenApiParameter(name, parameter.TryGetProperty("schema", out var schema) ? schema : null));
                                break;
                        }
                    }
                }
                // Route parameters the document does not list (catch-alls) are still filled.
                foreach (var segment in path.Name.Split('/').Where(s => s.StartsWith('{')))
                {
                    var name = segment.Trim('{', '}', '*').Split(':')[0];
                    if (!pathParameters.Contains(name))
                    {
                        pathParameters.Add(name);
                    }
                }
                JsonElement? body = null;
                var hasBody = item.Value.TryGetProperty("requestBody", out var requestBody);
                if (hasBody && requestBody.TryGetProperty("content", out var content))
                {
                    foreach (var type in content.EnumerateObject())
                    {
                        if (type.Value.TryGetProperty("schema", out var schema))
                        {
                            body = schema;
                            break;
                        }
                    }
                }
                operations.Add(new OpenApiOperation(method, path.Name, pathParameters, query, body, hasBody || method is "POST" or "PUT" or "PATCH"));
            }
        }
        return operations;
    }
}

public sealed record OpenApiParameter(string Name, JsonElement? Schema);
