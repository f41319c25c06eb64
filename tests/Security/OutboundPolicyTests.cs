using System.Net;
using Mcp.Cluster.Outbound;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Security;

/// <summary>The outbound policy's parts on their own: host notations, address classes, the connect decision, options.</summary>
[Trait("Tier", "Unit")]
public sealed class OutboundPolicyTests
{
    [Theory]
    [InlineData("0x7f000001", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("0177.0.0.1", "127.0.0.1")]
    [InlineData("127.1", "127.0.0.1")]
    [InlineData("0xA9.0xFE.0xA9.0xFE", "169.254.169.254")]
    [InlineData("[::1]", "::1")]
    [InlineData("10.0.0.1.", "10.0.0.1")]
    public void Odd_ipv4_notations_are_read_as_addresses(string host, string expected)
    {
        Assert.True(HostAddress.TryParse(host, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("1.2.3.4.5")]
    [InlineData("0x1ffffffff")]
    [InlineData("08.0.0.1")]
    public void Names_are_not_addresses(string host) => Assert.False(HostAddress.TryParse(host, out _));

    [Theory]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    [InlineData("http://[::ffff:7f00:1]/")]
    [InlineData("http://LOCALHOST./")]
    public void Uri_hosts_in_any_notation_are_refused_for_non_admins_and_allowed_for_admins(string url)
    {
        var policy = new OutboundPolicy(Options.Create(new OutboundOptions()));
        Assert.NotNull(policy.RefuseTarget(new Uri(url), byAdmin: false));
        Assert.Null(policy.RefuseTarget(new Uri(url), byAdmin: true));
    }

    [Theory]
    [InlineData("8.8.8.8", false)]
    [InlineData("2606:4700::1111", false)]
    [InlineData("100.63.255.255", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::", true)]
    [InlineData("64:ff9b::7f00:1", true)]
    [InlineData("64:ff9b::808:808", false)]
    [InlineData("::ffff:0:127.0.0.1", true)]
    [InlineData("::ffff:0:808:808", true)]
    [InlineData("100::1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("4000::1", true)]
    public void Internal_addresses_are_recognised(string address, bool isInternal) =>
        Assert.Equal(isInternal, InternalAddresses.Classify(IPAddress.Parse(address)) is not null);

    [Fact]
    public async Task The_connect_check_refuses_a_name_that_resolves_inwards_unless_the_name_is_allowlisted()
    {
        var resolver = new Security.OutboundAllowlistTests.TestResolver();
        resolver.Map("rebind.example", IPAddress.Parse("8.8.8.8"), IPAddress.Parse("169.254.169.254"));
        resolver.Map("inside.example", IPAddress.Loopback);
        resolver.Map("ollama.lan", IPAddress.Parse("10.0.0.7"));
        var connector = new OutboundConnector(new OutboundPolicy(Options.Create(new OutboundOptions { AllowedTargets = ["ollama.lan:11434", "192.0.2.0/24"] })), resolver);

        // Mixed answers: only the public address is ever connected to.
        Assert.Equal([IPAddress.Parse("8.8.8.8")], await connector.AllowedAddressesAsync("rebind.example", 443, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<OutboundRefusedException>(() => connector.AllowedAddressesAsync("inside.example", 80, CancellationToken.None));
        Assert.DoesNotContain("127.0.0.1", refused.Message);
        Assert.Contains("127.0.0.1", refused.ResolvedTo);
        Assert.Equal([IPAddress.Parse("10.0.0.7")], await connector.AllowedAddressesAsync("ollama.lan", 11434, CancellationToken.None));
        await Assert.ThrowsAsync<OutboundRefusedException>(() => connector.AllowedAddressesAsync("ollama.lan", 22, CancellationToken.None));
        await Assert.ThrowsAsync<OutboundRefusedException>(() => connector.AllowedAddressesAsync("0x7f000001", 80, CancellationToken.None));
    }

    [Fact]
    public void Unreadable_allowlist_entries_fail_validation()
    {
        var validator = new OutboundOptionsValidator();
        Assert.True(validator.Validate(null, new OutboundOptions { AllowedTargets = ["localhost:11434", "10.0.0.0/8", "[::1]:80", "ollama.lan", "192.168.1.5"] }).Succeeded);
        var result = validator.Validate(null, new OutboundOptions { AllowedTargets = ["localhost:99999", "10.0.0.0/99", "bad host"] });
        Assert.True(result.Failed);
        Assert.Contains("localhost:99999", result.FailureMessage);
    }
}
