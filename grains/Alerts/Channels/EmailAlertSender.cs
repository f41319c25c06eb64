using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Mcp.Cluster.Alerts.Channels;

/// <summary>Email over SMTP (MailKit): one message to every recipient, subject the alert's summary.</summary>
public static class EmailAlertSender
{
    public static async Task SendAsync(AlertChannelDefinition channel, AlertNotification n, CancellationToken cancellationToken)
    {
        var alert = n.Alert;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(channel.From!));
        foreach (var to in channel.To ?? [])
        {
            message.To.Add(MailboxAddress.Parse(to));
        }
        message.Subject = n.Summary;
        message.Headers.Add("X-Mcp-Alert", alert.Fingerprint);
        message.Body = new TextPart("plain")
        {
            Text = $"""
                {n.Summary}

                {n.Description}

                Rule:      {alert.Rule} ({alert.Kind})
                Subject:   {alert.Subject}
                Severity:  {alert.Severity}
                Value:     {alert.Value:0.####}
                Threshold: {alert.Threshold:0.####}
                Since:     {alert.BreachingSince:u}
                {(alert.ResolvedAt is { } resolved ? $"Resolved:  {resolved:u}" : "")}
                """,
        };

        using var smtp = new SmtpClient();
        var security = channel.SmtpSecurity switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        await smtp.ConnectAsync(channel.SmtpHost!, channel.SmtpPort, security, cancellationToken);
        if (channel.SmtpUsername is { } user)
        {
            await smtp.AuthenticateAsync(user, channel.SmtpPassword ?? "", cancellationToken);
        }
        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }
}
