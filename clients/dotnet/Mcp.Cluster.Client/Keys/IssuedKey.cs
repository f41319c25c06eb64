using System.Text;

namespace Mcp.Cluster.Client;

/// <summary>A key just created: the only time its secret, <see cref="ApiKey"/>, is ever shown.</summary>
public sealed record IssuedKey(
    string KeyId,
    string ApiKey,
    string Owner,
    string? Description,
    IReadOnlyList<string> Permissions,
    string RateLimit,
    long? DailyQuota,
    long? MonthlyQuota,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? PreviousKeyValidUntil,
    long? TokensPerMinute,
    long? TokensPerDay)
{
    /// <summary>Everything but the secret, so printing or logging the record cannot leak it.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"KeyId = {KeyId}, ApiKey = ***, Owner = {Owner}, Permissions = [{string.Join(", ", Permissions)}], RateLimit = {RateLimit}, ExpiresAt = {ExpiresAt}");
        return true;
    }
}
