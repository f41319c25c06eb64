using Mcp.Cluster.Tests.DataSources;

namespace Mcp.Cluster.Tests.Alerts;

/// <summary>A gateway with the sample sources whose alert evaluator runs every 250 ms and retries deliveries quickly.</summary>
public sealed class AlertGateway() : DataGateway(new Dictionary<string, string?>
{
    ["Alerts:EvaluationInterval"] = "00:00:00.250",
    ["Alerts:BucketWidth"] = "00:00:01",
    ["Alerts:DeliveryRetryDelay"] = "00:00:00.050",
    ["Alerts:DeliveryTimeout"] = "00:00:03",
});
