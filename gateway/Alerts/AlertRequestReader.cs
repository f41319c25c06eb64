using System.Text.RegularExpressions;
using Mcp.Cluster.Alerts;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Alerts;

/// <summary>Checks alert rules and channels before anything is stored; every field gets its own message.</summary>
public static partial class AlertRequestReader
{
    public const int MaxChannelsPerRule = 20;
    public const int MaxRecipients = 20;
    public const int MaxWindowSeconds = 3600;
    public const int MinWindowSeconds = 10;
    public const int MaxForSeconds = 86_400;
    public const int MaxDescriptionLength = 1000;
    public const int MaxUrlLength = 2048;
    public const int MaxSecretLength = 1024;

    private static readonly string[] Severities = ["info", "warning", "error", "critical"];

    public static bool IsValidName(string? name) => name is not null && Name().IsMatch(name);

    public static (AlertRule? Rule, JsonHttpResult<ApiError>? Error) ReadRule(string name, AlertRuleRequest request, AlertRule? existing)
    {
        if (!IsValidName(name))
        {
            return Fail("A rule name is 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit.", "name");
        }
        if (request.Kind is null && existing is null)
        {
            return Fail("Required field 'kind' is missing: slow_queries, error_rate, cache_miss_rate or concurrent_queries.", "kind");
        }
        var kind = existing?.Kind ?? default;
        if (request.Kind is not null && !ModelNames.TryParse(request.Kind, out kind))
        {
            return Fail("Field 'kind' must be slow_queries, error_rate, cache_miss_rate or concurrent_queries.", "kind");
        }
        if (request.Threshold is null && existing is null)
        {
            return Fail("Required field 'threshold' is missing.", "threshold");
        }
        var threshold = request.Threshold ?? existing!.Threshold;
        var ratio = kind is AlertRuleKind.ErrorRate or AlertRuleKind.CacheMissRate;
        if (!double.IsFinite(threshold) || threshold < 0 || (ratio && threshold > 1))
        {
            return Fail(ratio ? "Field 'threshold' is a share between 0 and 1 for this kind." : "Field 'threshold' must be a number of at least 0.", "threshold");
        }
        var window = request.WindowSeconds ?? (int?)existing?.Window.TotalSeconds ?? 300;
        if (window is < MinWindowSeconds or > MaxWindowSeconds)
        {
            return Fail($"Field 'window_seconds' must be between {MinWindowSeconds} and {MaxWindowSeconds}.", "window_seconds");
        }
        var pending = request.ForSeconds ?? (int?)existing?.For.TotalSeconds ?? 60;
        if (pending is < 0 or > MaxForSeconds)
        {
            return Fail($"Field 'for_seconds' must be between 0 and {MaxForSeconds}.", "for_seconds");
        }
        var samples = request.MinSamples ?? existing?.MinSamples ?? 1;
        if (samples is < 1 or > 1_000_000)
        {
            return Fail("Field 'min_samples' must be between 1 and 1000000.", "min_samples");
        }
        var severity = request.Severity ?? existing?.Severity ?? "warning";
        if (!Severities.Contains(severity))
        {
            return Fail("Field 'severity' must be info, warning, error or critical.", "severity");
        }
        // Omitted keeps the rule's channels; ["*"] means every channel.
        var channels = request.Channels is ["*"] ? null : request.Channels ?? existing?.Channels?.ToArray();
        if (channels is { Length: > MaxChannelsPerRule } || channels?.Any(c => !IsValidName(c)) == true)
        {
            return Fail($"Field 'channels' holds at most {MaxChannelsPerRule} channel names, or [\"*\"] for every channel.", "channels");
        }
        var source = request.Source ?? existing?.Source;
        if (source is not null && (kind == AlertRuleKind.ErrorRate || !DataSources.DataRequestReader.IsValidName(source)))
        {
            return Fail(kind == AlertRuleKind.ErrorRate ? "Field 'source' does not apply to error_rate rules." : "Field 'source' must name a data source.", "source");
        }
        var repeat = request.RepeatIntervalSeconds ?? (int?)existing?.RepeatInterval?.TotalSeconds;
        if (repeat is < 60 or > MaxForSeconds)
        {
            return Fail($"Field 'repeat_interval_seconds' must be between 60 and {MaxForSeconds}.", "repeat_interval_seconds");
        }
        var description = request.Description ?? existing?.Description;
        if (description is { Length: > MaxDescriptionLength })
        {
            return Fail($"Field 'description' is at most {MaxDescriptionLength} characters.", "description");
        }
        return (new AlertRule(name, kind, threshold, TimeSpan.FromSeconds(window), TimeSpan.FromSeconds(pending), samples, severity,
            channels?.Distinct(StringComparer.Ordinal).ToArray(), request.Enabled ?? existing?.Enabled ?? true, source,
            repeat is { } r ? TimeSpan.FromSeconds(r) : null, description), null);
    }

    public static (AlertChannelDefinition? Definition, JsonHttpResult<ApiError>? Error) ReadChannel(string name, AlertChannelRequest request)
    {
        if (!IsValidName(name))
        {
            return FailChannel("A channel name is 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit.", "name");
        }
        if (!ModelNames.TryParse<AlertChannelKind>(request.Type, out var kind))
        {
            return FailChannel("Field 'type' must be webhook, slack, pager_duty or email.", "type");
        }
        if (request.Secret is { Length: 0 or > MaxSecretLength } || request.RoutingKey is { Length: 0 or > MaxSecretLength })
        {
            return FailChannel($"Secrets are 1 to {MaxSecretLength} characters.", request.Secret is not null ? "secret" : "routing_key");
        }
        var needsUrl = kind is AlertChannelKind.Webhook;
        if (request.Url is not null || needsUrl)
        {
            if (!IsHttpUrl(request.Url))
            {
                // Slack's URL may be left out to keep the stored one; a webhook's is not secret and always required.
                return FailChannel("Field 'url' must be an absolute http or https URL.", "url");
            }
        }
        if (kind != AlertChannelKind.Webhook && request.Secret is not null)
        {
            return FailChannel("Field 'secret' applies to webhook channels only.", "secret");
        }
        if (kind != AlertChannelKind.PagerDuty && request.RoutingKey is not null)
        {
            return FailChannel("Field 'routing_key' applies to pager_duty channels only.", "routing_key");
        }
        if (kind != AlertChannelKind.Email && (request.Smtp is not null || request.From is not null || request.To is not null))
        {
            return FailChannel("Fields 'smtp', 'from' and 'to' apply to email channels only.", request.Smtp is not null ? "smtp" : request.From is not null ? "from" : "to");
        }
        if (kind == AlertChannelKind.Email && request.Url is not null)
        {
            return FailChannel("Field 'url' does not apply to email channels.", "url");
        }
        if (kind != AlertChannelKind.Email)
        {
            return (new AlertChannelDefinition(kind, request.Enabled ?? true, request.Url, request.Secret, request.RoutingKey), null);
        }

        var smtp = request.Smtp;
        if (smtp is null || string.IsNullOrWhiteSpace(smtp.Host) || smtp.Host.Length > 253 || Uri.CheckHostName(smtp.Host) == UriHostNameType.Unknown)
        {
            return FailChannel("Field 'smtp.host' must be a host name or address.", "smtp.host");
        }
        if (smtp.Port is { } port && port is < 1 or > 65535)
        {
            return FailChannel("Field 'smtp.port' must be between 1 and 65535.", "smtp.port");
        }
        var security = SmtpSecurity.StartTls;
        if (smtp.Security is not null && !ModelNames.TryParse(smtp.Security, out security))
        {
            return FailChannel("Field 'smtp.security' must be none, start_tls or tls.", "smtp.security");
        }
        if (smtp.Password is not null && smtp.Username is null)
        {
            return FailChannel("Field 'smtp.password' needs 'smtp.username'.", "smtp.password");
        }
        if (smtp.Password is { Length: > MaxSecretLength } || smtp.Username is { Length: 0 or > 256 })
        {
            return FailChannel("SMTP user names are 1 to 256 and passwords at most 1024 characters.", "smtp.username");
        }
        if (!IsAddress(request.From))
        {
            return FailChannel("Field 'from' must be an email address.", "from");
        }
        if (request.To is not { Length: > 0 } to || to.Length > MaxRecipients || !to.All(IsAddress))
        {
            return FailChannel($"Field 'to' must hold 1 to {MaxRecipients} email addresses.", "to");
        }
        var defaultPort = security switch { SmtpSecurity.Tls => 465, SmtpSecurity.StartTls => 587, _ => 25 };
        return (new AlertChannelDefinition(kind, request.Enabled ?? true, null, null, null, smtp.Host, smtp.Port ?? defaultPort, security,
            smtp.Username, smtp.Password, request.From, to.Distinct(StringComparer.OrdinalIgnoreCase).ToArray()), null);
    }

    private static bool IsHttpUrl(string? url) =>
        url is { Length: > 0 and <= MaxUrlLength } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static bool IsAddress(string? address) =>
        address is { Length: > 0 and <= 254 } && MimeKit.MailboxAddress.TryParse(address, out var parsed) && parsed.Address.Contains('@');

    private static (AlertRule?, JsonHttpResult<ApiError>?) Fail(string detail, string field) => (null, ApiErrors.Validation(detail, field));

    private static (AlertChannelDefinition?, JsonHttpResult<ApiError>?) FailChannel(string detail, string field) => (null, ApiErrors.Validation(detail, field));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex Name();
}
