using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Governance;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class FieldMaskerTests
{
    private static readonly FieldMasker Masker = new(new byte[32]);

    [Theory]
    [InlineData("4111111111111111", "************1111")]
    [InlineData("abcd", "****")]
    [InlineData("ab", "**")]
    [InlineData("", "")]
    [InlineData("jane.doe@example.com", "j*******@example.com")]
    [InlineData("@handle", "***ndle")]
    public void Partial_keeps_the_last_four_or_the_domain(string value, string masked) => Assert.Equal(masked, Masker.Apply(MaskKind.Partial, value));

    [Fact]
    public void Hashes_are_keyed_by_the_source_salt_and_stable()
    {
        var other = new FieldMasker(Enumerable.Repeat((byte)1, 32).ToArray());
        Assert.Equal(Masker.Apply(MaskKind.Hash, "Globex"), Masker.Apply(MaskKind.Hash, "Globex"));
        Assert.NotEqual(Masker.Apply(MaskKind.Hash, "Globex"), Masker.Apply(MaskKind.Hash, "Initech"));
        Assert.NotEqual(Masker.Apply(MaskKind.Hash, "Globex"), other.Apply(MaskKind.Hash, "Globex"));
        Assert.Matches("^h_[0-9a-f]{32}$", (string)Masker.Apply(MaskKind.Hash, 42L)!);
    }

    [Fact]
    public void Redact_gives_null_and_null_stays_null()
    {
        Assert.Null(Masker.Apply(MaskKind.Redact, "secret"));
        Assert.Null(Masker.Apply(MaskKind.Hash, null));
        Assert.Equal("kept", Masker.Apply(MaskKind.None, "kept"));
    }
}
