namespace Mcp.Cluster.DataSources;

/// <summary>
/// What a question became for one source: a structured query (never SQL, so the source's grants, masks, row filters,
/// quotas, audit and cache apply to it as to any other), how sure the translator is, and a short explanation in
/// words. <see cref="Query"/> is null when nothing could be made of the question here (<see cref="Detail"/> says why).
/// </summary>
/// <param name="Confidence">0 to 1; a question asked without a source goes to the source that is surest.</param>
/// <param name="Translator"><c>builtin</c> (pattern rules), <c>example</c> (a taught example, adapted), or <c>model</c>.</param>
/// <param name="ExampleId">The taught example the query was adapted from, if any.</param>
[GenerateSerializer, Immutable, Alias("mcp.DataTranslation")]
public sealed record DataTranslation(
    [property: Id(0)] string Source,
    [property: Id(1)] DataQuery? Query,
    [property: Id(2)] double Confidence,
    [property: Id(3)] string Explanation,
    [property: Id(4)] string Translator,
    [property: Id(5)] string? ExampleId = null,
    [property: Id(6)] DataQueryOutcome Outcome = DataQueryOutcome.Ok,
    [property: Id(7)] string? Detail = null);
