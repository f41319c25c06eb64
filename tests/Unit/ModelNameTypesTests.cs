using Mcp.Cluster.Models;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>The rules for model names, versions, aliases and references, held by the value types gateway and grains share.</summary>
[Trait("Tier", "Unit")]
public sealed class ModelNameTypesTests
{
    private const string NameRule = "Field 'name' must be 1-100 letters, digits, '.', '_' or '-', start with a letter or digit, and not start with 'mod_'.";
    private const string VersionRule = "Field 'version' must be 1-50 letters, digits, '.', '_', '+' or '-' (and not 'latest').";
    private const string AliasRule = "An alias is 1-32 lowercase letters, digits, '_' or '-', starting with a letter (so it cannot be mistaken for a version).";

    [Theory]
    [InlineData("sentiment", null)]
    [InlineData("A.b_c-9", null)]
    [InlineData(null, "Required field 'name' is missing")]
    [InlineData("  ", "Required field 'name' is missing")]
    [InlineData("-leading", NameRule)]
    [InlineData("has space", NameRule)]
    [InlineData("name@1.0", NameRule)]
    [InlineData("mod_abc", NameRule)]
    public void Names(string? text, string? error)
    {
        Assert.Equal(error is null, ModelName.TryParse(text, out var name, out var problem));
        Assert.Equal(error, problem);
        if (error is null)
        {
            Assert.Equal(text, (string)name);
            Assert.Equal(text, name.ToString());
        }
    }

    [Fact]
    public void A_name_is_at_most_100_characters()
    {
        Assert.True(ModelName.TryParse(new string('a', 100), out _));
        Assert.False(ModelName.TryParse(new string('a', 101), out _));
    }

    [Theory]
    [InlineData("1.0.0", true)]
    [InlineData("1.10.0-rc1+build", true)]
    [InlineData("beta", true)]
    [InlineData("latest", false)]
    [InlineData(".1", false)]
    [InlineData("1 0", false)]
    [InlineData("", false)]
    public void Versions(string text, bool valid)
    {
        Assert.Equal(valid, ModelVersion.TryParse(text, out _, out var problem));
        Assert.Equal(valid ? null : VersionRule, problem);
    }

    [Theory]
    [InlineData("production", true)]
    [InlineData("canary_2", true)]
    [InlineData("latest", true)]
    [InlineData("2024", false)]
    [InlineData("v2", false)]
    [InlineData("Prod", false)]
    [InlineData("", false)]
    public void Aliases(string text, bool valid)
    {
        Assert.Equal(valid, ModelAliasName.TryParse(text, out _, out var problem));
        Assert.Equal(valid ? null : AliasRule, problem);
    }

    [Theory]
    [InlineData("mod_abcdefghijklmnop", "mod_abcdefghijklmnop", null, null)]
    [InlineData("ranker", null, "ranker", "latest")]
    [InlineData("ranker@1.2.0", null, "ranker", "1.2.0")]
    [InlineData("ranker@production", null, "ranker", "production")]
    public void References(string text, string? id, string? name, string? selector)
    {
        Assert.True(ModelReference.TryParse(text, out var reference));
        Assert.Equal(id, reference.ModelId);
        Assert.Equal(id is not null, reference.IsId);
        if (name is not null)
        {
            Assert.Equal(name, (string)reference.Name);
            Assert.Equal(selector, (string)reference.Selector);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("@1.0")]
    [InlineData("ranker@")]
    [InlineData("no such@1.0")]
    [InlineData("ranker@1@2")]
    public void Text_that_names_no_model_is_no_reference(string text) =>
        Assert.False(ModelReference.TryParse(text, out _));

    [Fact]
    public void Parse_throws_for_text_the_code_spells_wrong()
    {
        Assert.Throws<FormatException>(() => ModelName.Parse("mod_x"));
        Assert.Throws<FormatException>(() => ModelVersion.Parse("latest"));
        Assert.Throws<FormatException>(() => ModelAliasName.Parse("1x"));
    }
}
