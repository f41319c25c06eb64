using Mcp.Cluster.ApiKeys;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>
/// Makes sure an admin key exists once the cluster is up: the configured one (<c>MCP_ADMIN_KEY</c>), or else one
/// generated at first start and printed once to standard output (never to the log, which may be shipped elsewhere).
/// </summary>
public sealed class BootstrapAdminKeyService(
    IGrainFactory grains,
    ApiKeyHasher hasher,
    ApiKeyIssuer issuer,
    IOptions<ApiKeyGatewayOptions> options,
    ILogger<BootstrapAdminKeyService> logger) : IHostedService
{
    public const string Owner = "admin";
    private const Permissions AdminPermissions = Permissions.Admin | Permissions.Read | Permissions.Write | Permissions.Execute;
    private static readonly RateLimit AdminRateLimit = new(10_000, TimeSpan.FromMinutes(1));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global);
        var configured = options.Value.AdminKey?.Trim();
        if (!string.IsNullOrEmpty(configured))
        {
            if (!ApiKeyFormat.TryGetKeyId(configured, out var keyId))
            {
                var (_, example) = ApiKeyFormat.Generate();
                throw new InvalidOperationException(
                    $"MCP_ADMIN_KEY (ApiKeys:AdminKey) is not a valid key: it must look like mcp_<16 chars>_<52 chars> in a-z and 2-7, for example {example}");
            }
            var spec = new NewApiKey(Owner, "Bootstrap admin key from configuration", AdminPermissions, AdminRateLimit, QuotaLimits.Unlimited, null, hasher.Hash(configured),
                ApiKeyFormat.DisplayPrefix(configured), "configuration");
            await grains.GetGrain<IApiKeyGrain>(keyId).EnsureBootstrapAdminAsync(spec);
            await directory.AddAsync([new ApiKeyDirectoryEntry(keyId, Owner, AdminPermissions, "configuration")]);
            logger.LogInformation("Bootstrap admin key {KeyId} from configuration is active", keyId);
            return;
        }

        if (await directory.GetBootstrapAdminKeyIdAsync() is { } existing)
        {
            logger.LogInformation("Bootstrap admin key {KeyId} was generated earlier; it is not shown again", existing);
            return;
        }
        var (key, apiKey) = await issuer.IssueAsync(
            new ApiKeyTerms(Owner, "Generated bootstrap admin key", AdminPermissions, AdminRateLimit, QuotaLimits.Unlimited, null),
            "bootstrap");
        if (!await directory.TryClaimBootstrapAdminAsync(key.KeyId))
        {
            // Another gateway generated one at the same moment; keep only theirs.
            await grains.GetGrain<IApiKeyGrain>(key.KeyId).RevokeAsync("bootstrap");
            return;
        }
        await Console.Out.WriteLineAsync(
            $"""

            ==========================================================================================
             MCP Cluster generated a bootstrap admin key. It is shown only this once; store it now:

               {apiKey}

             Set MCP_ADMIN_KEY to use a key of your own instead.
            ==========================================================================================

            """);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
