using System.Net;
using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>Where a standalone silo binds: the operator's address, else the advertised one, else every interface.</summary>
[Trait("Tier", "Unit")]
public sealed class ClusterListenAddressTests
{
    [Fact]
    public void A_silo_listens_on_its_advertised_address_unless_told_otherwise()
    {
        Assert.Equal(IPAddress.Loopback, new McpClusterOptions { AdvertisedAddress = "127.0.0.1" }.ListenIPAddress());
        Assert.Equal(IPAddress.Any, new McpClusterOptions { AdvertisedAddress = "127.0.0.1", ListenAddress = "0.0.0.0" }.ListenIPAddress());
        Assert.Equal(IPAddress.IPv6Any, new McpClusterOptions { ListenAddress = "::" }.ListenIPAddress());
    }

    [Fact]
    public void Without_an_advertised_address_and_in_Kubernetes_a_silo_listens_on_every_interface()
    {
        Assert.Null(new McpClusterOptions().ListenIPAddress());
        Assert.Null(new McpClusterOptions { Kubernetes = true, AdvertisedAddress = "10.0.0.5" }.ListenIPAddress());
        Assert.Equal(IPAddress.Loopback, new McpClusterOptions { Kubernetes = true, ListenAddress = "127.0.0.1" }.ListenIPAddress());
    }

    [Fact]
    public void An_address_that_is_not_an_IP_address_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new McpClusterOptions { ListenAddress = "localhost" }.ListenIPAddress());
        Assert.Contains("Cluster:ListenAddress 'localhost'", error.Message);
    }
}
