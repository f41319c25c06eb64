namespace Mcp.Cluster.DataSources;

/// <summary>
/// The source grain's answer to "may this key's read start, and how many rows may it return": quotas are charged in
/// the grain, in one turn, so reads running in parallel on many executors can never overshoot them together.
/// </summary>
/// <param name="Allowance">Rows the read may return (less than asked when the row quota is nearly spent).</param>
/// <param name="Reserved">Rows set aside against the row quota; the executor gives them back with <c>SettleAsync</c>.</param>
/// <param name="Outcome">Why the read may not start (quota spent, SQL slots taken), when it may not.</param>
/// <param name="PolicyChanged">The grain no longer gives the caller access: the executor's policy is stale.</param>
[GenerateSerializer, Immutable, Alias("mcp.DataAdmission")]
public sealed record DataAdmission(
    [property: Id(0)] bool Admitted,
    [property: Id(1)] int Allowance = 0,
    [property: Id(2)] int Reserved = 0,
    [property: Id(3)] DataQueryOutcome Outcome = DataQueryOutcome.Ok,
    [property: Id(4)] string? Detail = null,
    [property: Id(5)] DateTimeOffset? QuotaResetAt = null,
    [property: Id(6)] bool PolicyChanged = false);
