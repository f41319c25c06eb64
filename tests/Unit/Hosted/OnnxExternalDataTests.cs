using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Runtime;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;

namespace Mcp.Cluster.Tests.Unit.Hosted;

/// <summary>
/// ONNX keeps large weights in files beside the model ("external data", named by a path inside the model). An
/// uploaded model must not use that to read a file outside its own folder (and answer its bytes as weights).
/// </summary>
[Trait("Tier", "Unit")]
public sealed class OnnxExternalDataTests
{
    private static byte[] AddsWeightsFrom(string location) => new OnnxGraphBuilder("external")
        .Input("x", OnnxDataType.Float, "batch", 4)
        .ExternalWeights("w", [4], location)
        .Node("Add", ["x", "w"], ["y"])
        .Output("y", OnnxDataType.Float, "batch", 4)
        .Build();

    [Theory]
    [InlineData("../secret.bin")]
    [InlineData("../../secret.bin")]
    [InlineData("{absolute}")]
    public void A_model_whose_weights_point_outside_its_folder_is_refused(string location)
    {
        using var root = new TempDirectory();
        var folder = Path.Combine(root.Path, "model");
        File.WriteAllBytes(Path.Combine(root.Path, "secret.bin"), BitConverter.GetBytes(1234.5f).Concat(new byte[12]).ToArray());
        // "{absolute}": the secret's own absolute path, a file of exactly the weights' size.
        var path = TestOnnxModels.Write(folder, "model.onnx", AddsWeightsFrom(location.Replace("{absolute}", Path.Combine(root.Path, "secret.bin"))));

        Assert.ThrowsAny<Exception>(() => OnnxModelSession.Inspect(path));
        var refused = Assert.ThrowsAny<Exception>(() => OnnxModelSession.Load(path));
        Assert.IsType<ModelArtifactException>(refused);
    }

    [Fact]
    public void Weights_beside_the_model_load()
    {
        using var root = new TempDirectory();
        var path = TestOnnxModels.Write(root.Path, "model.onnx", AddsWeightsFrom("weights.bin"));
        File.WriteAllBytes(Path.Combine(root.Path, "weights.bin"), new[] { 1f, 2f, 3f, 4f }.SelectMany(BitConverter.GetBytes).ToArray());

        using var session = OnnxModelSession.Load(path);
        var output = session.Run([new TensorItem([new NamedTensor("x", [4], [10f, 20f, 30f, 40f])])]);

        Assert.Equal([11f, 22f, 33f, 44f], output[0].Tensors.Single(t => t.Name == "y").Floats!);
    }
}
