using System.Security.Cryptography;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.ApiKeys;

[GrainType("apikey")]
public sealed class ApiKeyGrain(
    [PersistentState("apikey", StorageNames.Default)] IPersistentState<ApiKeyState> key,
    IOptions<ApiKeyGrainOptions> options,
    [FromKeyedServices(ApiKeyGrain.Clock)] TimeProvider time,
    ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain
{
    /// <summary>
    /// The clock key grains read (the host's own unless one is registered under this key), so tests can move a key's
    /// time, e.g. past a token lease, without moving the silo's.
    /// </summary>
    public const string Clock = "mcp.apikeys";

    private const int HashLength = 32;

    // Usage counters change on every request; they are written behind (see ApiKeyGrainOptions.UsageFlushInterval)
    // while changes to the key itself are written before the call returns.
    private bool _usageDirty;
    private IGrainTimer? _flushTimer;
    private IGrainTimer? _leaseTimer;

    private string KeyId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (key.RecordExists)
        {
            StartFlushTimer();
            // Reservations loaded from storage may belong to a gateway that died with the last activation.
            StartLeaseTimerIfReserved();
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_usageDirty)
        {
            await FlushAsync();
        }
    }

    public async Task<ApiKeyInfo?> CreateAsync(NewApiKey spec)
    {
        if (key.RecordExists)
        {
            return null;
        }
        ValidateHash(spec.SecretHash);
        Apply(spec);
        await key.WriteStateAsync();
        StartFlushTimer();
        logger.LogInformation("API key {KeyId} created for owner {Owner} by {CreatedBy}", KeyId, spec.Owner, spec.CreatedBy);
        return ToInfo();
    }

    public async Task<ApiKeyInfo> EnsureBootstrapAdminAsync(NewApiKey spec)
    {
        ValidateHash(spec.SecretHash);
        var s = key.State;
        var unchanged = key.RecordExists && s.RevokedAt is null && s.Permissions == spec.Permissions
            && CryptographicOperations.FixedTimeEquals(s.SecretHash, spec.SecretHash);
        if (!unchanged)
        {
            var (usage, tokenUsage) = (s.Usage, s.TokenUsage);
            Apply(spec);
            key.State.Usage = usage;
            key.State.TokenUsage = tokenUsage;
            await key.WriteStateAsync();
            StartFlushTimer();
            logger.LogInformation("Bootstrap admin key {KeyId} armed", KeyId);
        }
        return ToInfo();
    }

    public Task<ApiKeyInfo?> GetAsync()
    {
        if (!key.RecordExists)
        {
            DeactivateOnIdle();
            return Task.FromResult<ApiKeyInfo?>(null);
        }
        return Task.FromResult<ApiKeyInfo?>(ToInfo());
    }

    public Task<AccessDecision> AuthorizeAsync(AccessRequest request)
    {
        if (!key.RecordExists)
        {
            // Unknown ids come from typos or guessing; do not keep an activation around for them.
            DeactivateOnIdle();
            return Task.FromResult(AccessDecision.Unknown);
        }

        var s = key.State;
        var now = time.GetUtcNow();
        if (!SecretMatches(request.SecretHash, now))
        {
            return Task.FromResult(AccessDecision.Unknown);
        }
        if (s.RevokedAt is not null)
        {
            return Task.FromResult(AccessDecision.Unknown with { Outcome = AccessOutcome.Revoked });
        }
        if (s.ExpiresAt is { } expires && expires <= now)
        {
            return Task.FromResult(AccessDecision.Unknown with { Outcome = AccessOutcome.Expired });
        }

        var usage = s.Usage;
        usage.Roll(now, s.RateLimit.Window);
        _usageDirty = true;

        var forbidden = !s.Permissions.Satisfies(request.Required);
        // A refused request still costs one unit, so probing routes one lacks rights for is rate limited too.
        var cost = forbidden ? 1 : Math.Max(1, request.Cost);
        var limit = s.RateLimit.Limit;

        AccessOutcome outcome;
        DateTimeOffset? quotaReset = null;
        if (usage.WindowCount + cost > limit)
        {
            outcome = AccessOutcome.RateLimited;
        }
        else if (forbidden)
        {
            usage.WindowCount += cost;
            outcome = AccessOutcome.Forbidden;
        }
        else if (s.Quotas.Daily is { } daily && usage.DayCount + cost > daily)
        {
            outcome = AccessOutcome.DailyQuotaExceeded;
            quotaReset = UsageCounters.NextDay(now);
        }
        else if (s.Quotas.Monthly is { } monthly && usage.MonthCount + cost > monthly)
        {
            outcome = AccessOutcome.MonthlyQuotaExceeded;
            quotaReset = UsageCounters.NextMonth(now);
        }
        else
        {
            usage.WindowCount += cost;
            usage.DayCount += cost;
            usage.MonthCount += cost;
            usage.Total += cost;
            usage.LastUsedAt = now;
            outcome = AccessOutcome.Allowed;
        }
        if (outcome is not AccessOutcome.Allowed)
        {
            usage.Rejected++;
        }

        return Task.FromResult(new AccessDecision(
            outcome,
            s.Owner,
            s.Permissions,
            limit,
            Math.Max(0, limit - usage.WindowCount),
            usage.WindowStart + s.RateLimit.Window,
            quotaReset));
    }

    public async Task<bool> RevokeAsync(string revokedBy)
    {
        if (!key.RecordExists)
        {
            return false;
        }
        if (key.State.RevokedAt is null)
        {
            key.State.RevokedAt = time.GetUtcNow();
            await key.WriteStateAsync();
            _usageDirty = false;
            logger.LogInformation("API key {KeyId} revoked by {RevokedBy}", KeyId, revokedBy);
        }
        return true;
    }

    public async Task<ApiKeyInfo?> RevokeForAsync(ApiKeyCaller caller)
    {
        if (!await ManageableByAsync(caller))
        {
            return null;
        }
        await RevokeAsync(caller.KeyId);
        return ToInfo();
    }

    public async Task<KeyRotation> RotateForAsync(ApiKeyCaller caller, byte[] newSecretHash, string newKeyPrefix, TimeSpan gracePeriod, ApiKeyRules rules)
    {
        if (gracePeriod < TimeSpan.Zero || gracePeriod > rules.MaxRotationGracePeriod)
        {
            return new KeyRotation(RotationOutcome.GraceOutOfRange);
        }
        if (!await ManageableByAsync(caller))
        {
            return new KeyRotation(RotationOutcome.NotFound);
        }
        if (key.State.RevokedAt is not null)
        {
            return new KeyRotation(RotationOutcome.Revoked);
        }
        // Rotating hands the new secret to the caller, so the key must not be able to do more than the caller's own.
        if (!caller.IsAdmin && caller.KeyId != KeyId
            && await GrainFactory.GetGrain<IApiKeyGrain>(caller.KeyId).GetAsync() is { } holder
            && ApiKeyReach.Beyond(ToInfo(), holder) is var excess and not ReachExcess.None)
        {
            return new KeyRotation(RotationOutcome.BeyondCaller, ToInfo(), excess);
        }
        var rotated = await RotateAsync(newSecretHash, newKeyPrefix, gracePeriod);
        return rotated is null ? new KeyRotation(RotationOutcome.NotFound) : new KeyRotation(RotationOutcome.Rotated, rotated);
    }

    public async Task<ApiKeyInfo?> GetForAsync(ApiKeyCaller caller) => await ManageableByAsync(caller) ? ToInfo() : null;

    public async Task<ApiKeyUsage?> GetUsageForAsync(ApiKeyCaller caller) => await ManageableByAsync(caller) ? await GetUsageAsync() : null;

    public Task<ApiKeyGrant> GrantAsync(IReadOnlyList<ApiKeyGrantRequest> keys, ApiKeyRules rules)
    {
        if (!key.RecordExists)
        {
            // Only a key that authorized this very request asks; one that is gone grants nothing.
            DeactivateOnIdle();
            return Task.FromResult(ApiKeyGrant.Refused(new GrantRefusal(0, GrantRefusalReason.PermissionsNotHeld)));
        }
        return Task.FromResult(ApiKeyGrants.Decide(keys, ToInfo(), rules, time.GetUtcNow()));
    }

    public async Task<ApiKeyInfo?> RotateAsync(byte[] newSecretHash, string newKeyPrefix, TimeSpan gracePeriod)
    {
        if (!key.RecordExists || key.State.RevokedAt is not null)
        {
            return null;
        }
        ValidateHash(newSecretHash);
        var now = time.GetUtcNow();
        var s = key.State;
        if (gracePeriod > TimeSpan.Zero)
        {
            s.PreviousSecretHash = s.SecretHash;
            s.PreviousSecretValidUntil = now + gracePeriod;
        }
        else
        {
            s.PreviousSecretHash = null;
            s.PreviousSecretValidUntil = null;
        }
        s.SecretHash = newSecretHash;
        s.KeyPrefix = newKeyPrefix;
        s.RotatedAt = now;
        await key.WriteStateAsync();
        _usageDirty = false;
        logger.LogInformation("API key {KeyId} rotated (grace period {GracePeriod})", KeyId, gracePeriod);
        return ToInfo();
    }

    public Task<ApiKeyUsage?> GetUsageAsync()
    {
        if (!key.RecordExists)
        {
            return Task.FromResult<ApiKeyUsage?>(null);
        }
        var s = key.State;
        var now = time.GetUtcNow();
        var u = s.Usage;
        // Report the counters as they stand now without mutating them: a read must not open a new window.
        var windowOpen = now >= u.WindowStart && now < u.WindowStart + s.RateLimit.Window;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var month = UsageCounters.MonthOf(now);
        return Task.FromResult<ApiKeyUsage?>(new ApiKeyUsage(
            KeyId,
            today,
            u.Day == today ? u.DayCount : 0,
            month,
            u.Month == month ? u.MonthCount : 0,
            u.Total,
            s.Quotas,
            s.RateLimit,
            windowOpen ? Math.Max(0, s.RateLimit.Limit - u.WindowCount) : s.RateLimit.Limit,
            windowOpen ? u.WindowStart + s.RateLimit.Window : now + s.RateLimit.Window,
            u.LastUsedAt,
            u.Rejected,
            s.Tokens,
            now < s.TokenUsage.MinuteStart + TokenCounters.Window ? s.TokenUsage.MinuteTokens : 0,
            s.TokenUsage.Day == today ? s.TokenUsage.DayTokens : 0,
            s.TokenUsage.PromptTokens,
            s.TokenUsage.CompletionTokens));
    }

    public async Task<AuthorizedReservation> AuthorizeAndReserveAsync(AccessRequest request, string reservationId, long tokens)
    {
        var access = await AuthorizeAsync(request);
        return new AuthorizedReservation(access, access.Outcome == AccessOutcome.Allowed ? Reserve(reservationId, tokens) : null);
    }

    public Task<TokenReservation> ReserveTokensAsync(string reservationId, long tokens)
    {
        if (!key.RecordExists)
        {
            DeactivateOnIdle();
            return Task.FromResult(new TokenReservation(false));
        }
        return Task.FromResult(Reserve(reservationId, tokens));
    }

    private TokenReservation Reserve(string reservationId, long tokens)
    {
        var s = key.State;
        var reservation = s.TokenUsage.Reserve(reservationId, Math.Max(0, tokens), s.Tokens, time.GetUtcNow(), options.Value.TokenLeaseDuration);
        _usageDirty = true;
        StartLeaseTimerIfReserved();
        return reservation;
    }

    public Task RenewTokensAsync(string reservationId, long promptTokens, long completionTokens)
    {
        if (key.RecordExists && key.State.TokenUsage.Renew(reservationId, promptTokens, completionTokens, time.GetUtcNow(), options.Value.TokenLeaseDuration))
        {
            _usageDirty = true;
        }
        return Task.CompletedTask;
    }

    public Task SettleTokensAsync(string reservationId, long promptTokens, long completionTokens)
    {
        if (key.RecordExists)
        {
            key.State.TokenUsage.Settle(reservationId, promptTokens, completionTokens, time.GetUtcNow());
            _usageDirty = true;
        }
        return Task.CompletedTask;
    }

    private void Apply(NewApiKey spec)
    {
        key.State = new ApiKeyState
        {
            Owner = spec.Owner,
            Description = spec.Description,
            Permissions = spec.Permissions,
            RateLimit = spec.RateLimit,
            Quotas = spec.Quotas,
            Tokens = spec.Tokens ?? TokenLimits.Unlimited,
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = spec.ExpiresAt,
            SecretHash = spec.SecretHash,
            KeyPrefix = spec.KeyPrefix,
            CreatedBy = spec.CreatedBy,
        };
    }

    /// <summary>
    /// Whether <paramref name="caller"/> may see and manage this key. Admins may; others only keys of their own owner
    /// that hold no permission the caller lacks and that are the caller or descend from it, so no key reaches (or
    /// rotates into) a sibling's or parent's power. A key the caller may not manage looks exactly like a missing one.
    /// </summary>
    private async Task<bool> ManageableByAsync(ApiKeyCaller caller)
    {
        if (!key.RecordExists)
        {
            DeactivateOnIdle();
            return false;
        }
        if (caller.IsAdmin)
        {
            return true;
        }
        var s = key.State;
        if (!string.Equals(s.Owner, caller.Owner, StringComparison.Ordinal) || (s.Permissions & ~caller.Permissions) != 0)
        {
            return false;
        }
        return caller.KeyId == KeyId
            || await GrainFactory.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).DescendsFromAsync(KeyId, caller.KeyId);
    }

    private bool SecretMatches(byte[] presented, DateTimeOffset now)
    {
        var s = key.State;
        if (presented.Length != HashLength)
        {
            return false;
        }
        if (CryptographicOperations.FixedTimeEquals(s.SecretHash, presented))
        {
            return true;
        }
        return s.PreviousSecretHash is { } previous
            && s.PreviousSecretValidUntil is { } until && now < until
            && CryptographicOperations.FixedTimeEquals(previous, presented);
    }

    private void StartFlushTimer()
    {
        _flushTimer ??= this.RegisterGrainTimer(
            static (grain, _) => grain.FlushIfDirtyAsync(),
            this,
            new GrainTimerCreationOptions(options.Value.UsageFlushInterval, options.Value.UsageFlushInterval) { KeepAlive = false });
    }

    private void StartLeaseTimerIfReserved()
    {
        if (key.State.TokenUsage.Reservations.Count == 0)
        {
            return;
        }
        var every = options.Value.TokenLeaseCheckInterval;
        // KeepAlive: an open reservation is work in flight; the activation must stay to settle it.
        _leaseTimer ??= this.RegisterGrainTimer(static (grain, _) => grain.SettleExpiredLeasesAsync(), this,
            new GrainTimerCreationOptions(every, every) { KeepAlive = true });
    }

    /// <summary>
    /// Settles reservations whose holder stopped renewing (its gateway died) and stops their completions' provider
    /// calls: nobody is listening to them any more.
    /// </summary>
    private Task SettleExpiredLeasesAsync()
    {
        var usage = key.State.TokenUsage;
        var expired = usage.SettleExpired(time.GetUtcNow());
        if (expired.Count > 0)
        {
            _usageDirty = true;
            foreach (var reservationId in expired)
            {
                logger.LogWarning("Token reservation {ReservationId} of API key {KeyId} was not renewed; settled by the key and its completion stopped",
                    reservationId, KeyId);
                if (Completions.CompletionIds.TryGetModelId(reservationId, out var modelId))
                {
                    // One-way: returns at once, even when the model's silo is gone too.
                    _ = GrainFactory.GetGrain<Models.IModelGrain>(modelId).AbandonCompletionAsync(reservationId);
                }
            }
        }
        if (usage.Reservations.Count == 0)
        {
            _leaseTimer?.Dispose();
            _leaseTimer = null;
        }
        return Task.CompletedTask;
    }

    private Task FlushIfDirtyAsync() => _usageDirty ? FlushAsync() : Task.CompletedTask;

    private async Task FlushAsync()
    {
        _usageDirty = false;
        try
        {
            await key.WriteStateAsync();
        }
        catch (Exception ex)
        {
            _usageDirty = true;
            logger.LogWarning(ex, "Writing usage counters of API key {KeyId} failed; will retry", KeyId);
        }
    }

    private ApiKeyInfo ToInfo()
    {
        var s = key.State;
        return new ApiKeyInfo(KeyId, s.Owner, s.Description, s.Permissions, s.RateLimit, s.Quotas, s.CreatedAt,
            s.ExpiresAt, s.RevokedAt, s.RotatedAt, s.Usage.LastUsedAt, s.KeyPrefix, s.CreatedBy, s.Tokens);
    }

    private static void ValidateHash(byte[] hash)
    {
        if (hash.Length != HashLength)
        {
            throw new ArgumentException($"A secret hash is {HashLength} bytes.", nameof(hash));
        }
    }
}
