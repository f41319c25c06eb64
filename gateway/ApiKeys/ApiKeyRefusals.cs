using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>Words the key grains' decisions on issuing and rotating keys in the documented error shape.</summary>
public static class ApiKeyRefusals
{
    /// <summary>A refused grant; for a batch (<paramref name="batch"/>) field names say which item (<c>keys[2].owner</c>).</summary>
    public static JsonHttpResult<ApiError> Of(GrantRefusal refusal, ApiKeyRules rules, bool batch)
    {
        var prefix = batch ? $"keys[{refusal.Item}]." : "";
        var field = prefix + refusal.Field;
        return refusal.Reason switch
        {
            GrantRefusalReason.NoDefaultPermissions => ApiErrors.Validation(
                $"Field '{field}' is required here: this key holds none of the default permissions ({string.Join(", ", PermissionNames.ToNames(rules.DefaultPermissions))}).", field),
            GrantRefusalReason.ExpiryOutOfRange => ApiErrors.Validation($"Field '{field}' must be between 1 and {refusal.Limit}.", field),
            GrantRefusalReason.SelfServiceAdmin => ApiErrors.Forbidden("Self-service keys cannot hold the 'admin' permission."),
            GrantRefusalReason.AdminOnlyAdmin => ApiErrors.Forbidden("Only an admin key can create admin keys."),
            GrantRefusalReason.RateAboveDefault => ApiErrors.Forbidden(
                $"Only an admin can set a rate limit above {refusal.Limit} (a higher rate, or more requests in one window)."),
            GrantRefusalReason.OtherOwner => ApiErrors.Forbidden($"This key can only create keys for owner '{refusal.Limit}'."),
            GrantRefusalReason.PermissionsNotHeld => ApiErrors.Forbidden("A key cannot create a key with permissions it does not hold itself."),
            GrantRefusalReason.RateAboveOwn => ApiErrors.Forbidden($"A key cannot create a key with a rate limit above its own ({refusal.Limit})."),
            GrantRefusalReason.LimitAboveOwn => ApiErrors.Forbidden($"Field '{field}' cannot exceed the creating key's own limit of {refusal.Limit}."),
            _ => ApiErrors.Forbidden($"A key cannot create a key that outlives it (this key expires at {refusal.Limit})."),
        };
    }

    public static JsonHttpResult<ApiError> OwnerUnavailable(string owner, OwnerClaim claim) =>
        ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.OwnerUnavailable, claim == OwnerClaim.Reserved
            ? $"Owner '{owner}' is reserved and cannot be claimed without a key."
            : $"Owner '{owner}' already exists. Self-service only starts new owners: ask a key of '{owner}' (POST /api/keys with its X-API-Key) or an admin for another key, or pick another owner name.",
            new Dictionary<string, object?> { ["owner"] = owner });

    public static JsonHttpResult<ApiError> KeyNotFound(string keyId) =>
        ApiErrors.Result(StatusCodes.Status404NotFound, "key_not_found", $"No API key '{keyId}' visible to this caller.");

    /// <summary>A refused rotation (any outcome but <see cref="RotationOutcome.Rotated"/>).</summary>
    public static JsonHttpResult<ApiError> Of(KeyRotation rotation, string keyId, ApiKeyRules rules) => rotation.Outcome switch
    {
        RotationOutcome.GraceOutOfRange => ApiErrors.Validation(
            $"Field 'grace_period_seconds' must be between 0 and {(long)rules.MaxRotationGracePeriod.TotalSeconds}.", "grace_period_seconds"),
        RotationOutcome.Revoked => ApiErrors.Result(StatusCodes.Status409Conflict, "key_revoked", "A revoked key cannot be rotated; create a new one."),
        RotationOutcome.BeyondCaller => ApiErrors.Forbidden(
            $"Key '{keyId}' has {Excess(rotation.Excess, rotation.Key!)} than the calling key; only a key at least as limited as this one, or an admin, can rotate it."),
        _ => KeyNotFound(keyId),
    };

    private static string Excess(ReachExcess excess, ApiKeyInfo key) => excess switch
    {
        ReachExcess.RateLimit => $"a higher rate limit ({key.RateLimit})",
        ReachExcess.DailyQuota => "a larger daily quota",
        ReachExcess.MonthlyQuota => "a larger monthly quota",
        ReachExcess.TokensPerMinute => "a larger token limit per minute",
        ReachExcess.TokensPerDay => "a larger token limit per day",
        _ => "a later expiry",
    };
}
