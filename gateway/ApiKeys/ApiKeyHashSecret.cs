using System.Security.Cryptography;
using System.Text;
using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>Finds the hashing secret: configuration first, else (local mode only) a file generated in the data directory.</summary>
public static class ApiKeyHashSecret
{
    public const int MinimumLength = 32;
    private const string FileName = "api-key-hash.secret";

    public static byte[] Resolve(ApiKeyGatewayOptions options, McpClusterOptions cluster)
    {
        if (!string.IsNullOrEmpty(options.HashSecret))
        {
            if (options.HashSecret.Length < MinimumLength)
            {
                throw new InvalidOperationException(
                    $"ApiKeys:HashSecret (MCP_API_KEY_HASH_SECRET) must be at least {MinimumLength} characters.");
            }
            return Encoding.UTF8.GetBytes(options.HashSecret);
        }
        if (cluster.Mode != ClusterMode.Local)
        {
            throw new InvalidOperationException(
                "ApiKeys:HashSecret (MCP_API_KEY_HASH_SECRET) is required in cluster mode: every gateway must hash keys with the same secret.");
        }

        Directory.CreateDirectory(cluster.DataDirectory);
        var path = Path.Combine(cluster.DataDirectory, FileName);
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        var secret = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(secret));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, path, overwrite: false);
        return secret;
    }
}
