namespace Mcp.Cluster.Alerts;

public enum SmtpSecurity
{
    /// <summary>Plain SMTP; only for relays on a trusted network.</summary>
    None,

    /// <summary>Upgrade with STARTTLS, and refuse to send if the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    Tls,
}
