using System.Text;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.QueryTests;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// Saved query tests of a source (admin): a question or a structured query with its expected result, run on demand
/// through the ordinary executor as the admin who asks. The body's shape is checked here (a structured query by
/// <see cref="DataRequestReader.ReadQuery"/>, as for <c>/api/data/query</c>); names, lengths and sizes by the tests grain.
/// </summary>
public static class DataQueryTestEndpoints
{
    public static IEndpointRouteBuilder MapDataQueryTestEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/datasources/{name}/tests").WithTags("Data sources");

        group.MapPost("", SaveAsync)
            .ValidateJsonBody<DataQueryTestDraft, DraftReader>()
            .RequireApiKey(Permissions.Admin)
            .WithName("SaveDataQueryTest")
            .WithSummary("Save a query test: a question or a structured query with its expected row_count, rows and/or max_ms (admin)")
            .WithDescription("{\"name\", \"question\" | \"query\", \"expect\": {\"row_count\", \"rows\", \"max_ms\"}} or \"expect_from_current\": true to record the current rows " +
                $"(at most {DataQueryTestLimits.MaxExpectedRows} rows, {DataQueryTestLimits.MaxExpectedBytes} bytes). At most {DataQueryTestLimits.MaxTests} tests per source.");

        group.MapGet("", ListAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("ListDataQueryTests")
            .WithSummary("The source's query tests with their last results (admin)");

        group.MapDelete("/{test}", DeleteAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("DeleteDataQueryTest")
            .WithSummary("Delete a query test (admin)");

        group.MapPost("/run", RunAsync)
            .RequireApiKey(Permissions.Admin)
            .WithName("RunDataQueryTests")
            .WithSummary("Run every query test of the source, or ?name= one, as the calling admin (admin)");

        return routes;
    }

    private static async Task<IResult> SaveAsync(string name, HttpContext context, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name))
        {
            return DataSourceEndpoints.NotFound(name);
        }
        var draft = context.Validated<DataQueryTestDraft>();
        var saved = await grains.GetGrain<IDataQueryTestsGrain>(name).SaveAsync(draft, DataSourceEndpoints.Caller(context.GetRequiredApiKey()));
        var extra = saved.Field is null ? null : new Dictionary<string, object?> { ["field"] = saved.Field };
        return saved.Outcome switch
        {
            DataCommandOutcome.Ok => TypedResults.Created($"/api/datasources/{name}/tests/{saved.Test!.Name}", DataQueryTestResponse.From(saved.Test)),
            DataCommandOutcome.NotFound => DataSourceEndpoints.NotFound(name),
            DataCommandOutcome.Conflict => ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, saved.Detail!, extra),
            _ => saved.QueryOutcome switch
            {
                DataQueryOutcome.Forbidden => ApiErrors.Result(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, saved.Detail!, extra),
                DataQueryOutcome.NotFound => ApiErrors.Result(StatusCodes.Status404NotFound, ErrorCodes.NotFound, saved.Detail!, extra),
                DataQueryOutcome.QuotaExceeded => ApiErrors.Result(StatusCodes.Status429TooManyRequests, ErrorCodes.QuotaExceeded, saved.Detail!, extra),
                DataQueryOutcome.Unavailable => ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.DataSourceUnavailable, saved.Detail!, extra),
                DataQueryOutcome.Timeout => ApiErrors.Result(StatusCodes.Status504GatewayTimeout, ErrorCodes.QueryTimeout, saved.Detail!, extra),
                DataQueryOutcome.TooLarge => ApiErrors.Result(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ResultTooLarge, saved.Detail!, extra),
                _ => ApiErrors.Result(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, saved.Detail!, extra),
            },
        };
    }

    private static async Task<IResult> ListAsync(string name, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || await grains.GetGrain<IDataQueryTestsGrain>(name).ListAsync() is not { } tests)
        {
            return DataSourceEndpoints.NotFound(name);
        }
        return TypedResults.Ok(new DataQueryTestListResponse(name, tests.Select(DataQueryTestResponse.From).ToArray()));
    }

    private static async Task<IResult> DeleteAsync(string name, string test, IGrainFactory grains)
    {
        if (!DataRequestReader.IsValidName(name) || !DataQueryTestLimits.IsValidName(test) || !await grains.GetGrain<IDataQueryTestsGrain>(name).DeleteAsync(test))
        {
            return ApiErrors.NotFound($"Data source '{name}' has no test named '{test}'.");
        }
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RunAsync(string name, HttpContext context, IGrainFactory grains, [FromQuery(Name = "name")] string? test)
    {
        if (test is not null && !DataQueryTestLimits.IsValidName(test))
        {
            return ApiErrors.Validation("Query parameter 'name' must be the name of a test.", "name");
        }
        if (!DataRequestReader.IsValidName(name))
        {
            return DataSourceEndpoints.NotFound(name);
        }
        var run = await grains.GetGrain<IDataQueryTestsGrain>(name).RunAsync(test, DataSourceEndpoints.Caller(context.GetRequiredApiKey()));
        if (run is null)
        {
            return test is null ? DataSourceEndpoints.NotFound(name) : ApiErrors.NotFound($"Data source '{name}' has no test named '{test}'.");
        }
        return TypedResults.Ok(DataQueryTestRunResponse.From(run));
    }

    /// <summary>The body of a save, its shape only: unknown fields, wrong types and a query that does not read are 400s.</summary>
    public sealed class DraftReader : IRequestValidator<JsonElement, DataQueryTestDraft>
    {
        private static readonly string[] Fields = ["name", "question", "query", "expect", "expect_from_current"];

        public ValueTask<RequestValidation<DataQueryTestDraft>> ValidateAsync(JsonElement body, HttpContext context) => ValueTask.FromResult(Read(body));

        internal static RequestValidation<DataQueryTestDraft> Read(JsonElement body)
        {
            if (body.ValueKind != JsonValueKind.Object)
            {
                return ApiErrors.Validation("The body must be a JSON object.");
            }
            string? name = null, question = null;
            DataQuery? query = null;
            var expect = new DataQueryExpectation(null, null, null);
            var fromCurrent = false;
            foreach (var property in body.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "name" when value.ValueKind == JsonValueKind.String:
                        name = value.GetString();
                        break;
                    case "question" when value.ValueKind == JsonValueKind.String:
                        question = value.GetString();
                        break;
                    case "question" or "query" when value.ValueKind == JsonValueKind.Null:
                        break;
                    case "query" when value.ValueKind == JsonValueKind.Object:
                    {
                        var (read, error) = ReadQuery(value);
                        if (error is not null)
                        {
                            return error.Value;
                        }
                        query = read;
                        break;
                    }
                    case "expect" when value.ValueKind == JsonValueKind.Object:
                    {
                        var (read, error) = ReadExpect(value);
                        if (error is not null)
                        {
                            return error.Value;
                        }
                        expect = read!;
                        break;
                    }
                    case "expect_from_current" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        fromCurrent = value.GetBoolean();
                        break;
                    default:
                        return Fields.Contains(property.Name)
                            ? ApiErrors.Validation($"Field '{property.Name}' has the wrong type.", property.Name)
                            : ApiErrors.Validation($"Unknown field '{property.Name}'. Fields: {string.Join(", ", Fields)}.", property.Name);
                }
            }
            if (name is null)
            {
                return ApiErrors.Validation("Required field 'name' is missing.", "name");
            }
            return RequestValidation<DataQueryTestDraft>.Valid(new DataQueryTestDraft(name, question, query, expect, fromCurrent));
        }

        /// <summary>The structured query, read exactly as <c>/api/data/query</c> reads one (its source is the path's).</summary>
        private static (DataQuery? Query, RequestValidation<DataQueryTestDraft>? Error) ReadQuery(JsonElement json)
        {
            DataQueryRequest? request;
            try
            {
                request = json.Deserialize<DataQueryRequest>(Hosting.GatewayJson.Options);
            }
            catch (JsonException e)
            {
                return (null, ApiErrors.Validation($"Field 'query' is not a structured query: {e.Message}", "query"));
            }
            if (request is null)
            {
                return (null, ApiErrors.Validation("Field 'query' must be a structured query.", "query"));
            }
            if (request.Source is not null || request.Model is not null)
            {
                return (null, ApiErrors.Validation("A test's query runs on the source in the path as the admin who runs it: leave out 'source' and 'model'.",
                    request.Source is not null ? "query.source" : "query.model"));
            }
            var (query, error) = DataRequestReader.ReadQuery(request);
            if (error is not null)
            {
                // The reader names fields of a query body; here that body is 'query'.
                if (error.Value is { Extra: { } extra } && extra.TryGetValue("field", out var field) && field is string named)
                {
                    extra["field"] = "query." + named;
                }
                return (null, error);
            }
            return (query, null);
        }

        private static (DataQueryExpectation? Expect, RequestValidation<DataQueryTestDraft>? Error) ReadExpect(JsonElement json)
        {
            int? rowCount = null, maxMs = null;
            string? rows = null;
            foreach (var property in json.EnumerateObject())
            {
                var value = property.Value;
                var at = "expect." + property.Name;
                switch (property.Name)
                {
                    case "row_count" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count):
                        rowCount = count;
                        break;
                    case "max_ms" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var ms):
                        maxMs = ms;
                        break;
                    case "rows" when value.ValueKind == JsonValueKind.Array:
                        if (value.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.Object))
                        {
                            return (null, ApiErrors.Validation("'expect.rows' must be a list of objects (field: value).", at));
                        }
                        // Kept compact: it is compared and stored, never shown as sent.
                        rows = JsonSerializer.Serialize(value);
                        break;
                    case "row_count" or "max_ms" or "rows":
                        return (null, ApiErrors.Validation(
                            property.Name == "rows" ? "'expect.rows' must be a list of objects (field: value)." : $"'{at}' must be a whole number.", at));
                    default:
                        return (null, ApiErrors.Validation($"Unknown field '{property.Name}' in 'expect'. Fields: row_count, rows, max_ms.", at));
                }
            }
            return (new DataQueryExpectation(rowCount, rows, maxMs), null);
        }
    }
}

public sealed record DataQueryTestListResponse(string Source, IReadOnlyList<DataQueryTestResponse> Tests);

public sealed record DataQueryTestResponse(
    string Name,
    string? Question,
    JsonElement? Query,
    DataQueryExpectationResponse Expect,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DataQueryTestResultResponse? LastRun)
{
    public static DataQueryTestResponse From(DataQueryTest test) =>
        new(test.Name, test.Question, test.Query is null ? null : StructuredQueryJson.ToElement(test.Query),
            new DataQueryExpectationResponse(test.Expect.RowCount, test.Expect.RowsJson is { } rows ? JsonDocument.Parse(rows).RootElement.Clone() : null, test.Expect.MaxMs),
            test.CreatedBy, test.CreatedAt, test.LastRun is null ? null : DataQueryTestResultResponse.From(test.LastRun));
}

public sealed record DataQueryExpectationResponse(int? RowCount, JsonElement? Rows, int? MaxMs);

public sealed record DataQueryTestResultResponse(
    string Name,
    bool Passed,
    double ElapsedMs,
    int RowCount,
    JsonElement? Query,
    IReadOnlyList<string> Failures,
    DateTimeOffset RanAt)
{
    public static DataQueryTestResultResponse From(DataQueryTestResult result) =>
        new(result.Name, result.Passed, result.ElapsedMs, result.RowCount, result.Query is null ? null : StructuredQueryJson.ToElement(result.Query), result.Failures, result.RanAt);
}

public sealed record DataQueryTestRunResponse(string Source, DateTimeOffset RanAt, int Passed, int Failed, IReadOnlyList<DataQueryTestResultResponse> Results)
{
    public static DataQueryTestRunResponse From(DataQueryTestRun run) =>
        new(run.Source, run.RanAt, run.Passed, run.Failed, run.Results.Select(DataQueryTestResultResponse.From).ToArray());
}
