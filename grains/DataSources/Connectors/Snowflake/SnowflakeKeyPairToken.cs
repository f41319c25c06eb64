using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mcp.Cluster.DataSources.Connectors.Snowflake;

/// <summary>
/// Key-pair authentication for Snowflake's SQL API: an RS256 JWT whose issuer is
/// <c>ACCOUNT.USER.SHA256:&lt;base64 SHA-256 of the public key's DER SubjectPublicKeyInfo&gt;</c> and subject
/// <c>ACCOUNT.USER</c>, valid for at most an hour. Tokens are reused until five minutes before they expire.
/// </summary>
public sealed class SnowflakeKeyPairToken : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(59);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly RSA _key;
    private readonly string _issuer;
    private readonly string _subject;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private string? _token;
    private DateTimeOffset _expires;

    /// <param name="account">The account identifier (e.g. <c>myorg-myaccount</c> or a locator).</param>
    /// <exception cref="DataSourceConfigException">The key is not a PEM RSA private key (or the password does not open it).</exception>
    public SnowflakeKeyPairToken(string account, string user, string privateKeyPem, string? password, TimeProvider time)
    {
        _time = time;
        _key = RSA.Create();
        try
        {
            if (password is { Length: > 0 })
            {
                _key.ImportFromEncryptedPem(privateKeyPem, password);
            }
            else
            {
                _key.ImportFromPem(privateKeyPem);
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            _key.Dispose();
            throw new DataSourceConfigException("config.private_key", $"config.private_key is not a PEM RSA private key that opens with the given password: {e.Message}");
        }
        // Snowflake wants the account in upper case and without a region or cloud suffix; dots in an
        // organization-style identifier are written as dashes.
        var accountPart = account.Split('.')[0].ToUpperInvariant();
        var userPart = user.ToUpperInvariant();
        Fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()));
        _subject = $"{accountPart}.{userPart}";
        _issuer = $"{_subject}.{Fingerprint}";
    }

    /// <summary>The public key fingerprint Snowflake shows as RSA_PUBLIC_KEY_FP.</summary>
    public string Fingerprint { get; }

    public string Current()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_token is null || now >= _expires - RenewBefore)
            {
                _expires = now + Lifetime;
                _token = Create(now, _expires);
            }
            return _token;
        }
    }

    private string Create(DateTimeOffset issuedAt, DateTimeOffset expires)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = _issuer,
            ["sub"] = _subject,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        }));
        var signingInput = $"{header}.{payload}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _key.Dispose();
}
