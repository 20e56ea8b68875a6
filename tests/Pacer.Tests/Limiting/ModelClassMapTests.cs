using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class ModelClassMapTests
{
    [Theory]
    [InlineData("claude-opus-4-20250514", "claude-opus-4")]
    [InlineData("claude-opus-4-1-20250805", "claude-opus-4")]
    [InlineData("claude-opus-4-5", "claude-opus-4")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4")]
    [InlineData("claude-sonnet-4-0", "claude-sonnet-4")]
    [InlineData("claude-haiku-4-5", "claude-haiku-4")]
    [InlineData("claude-3-7-sonnet-latest", "claude-3-7-sonnet")]
    [InlineData("claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    [InlineData("claude-3-5-haiku-20241022", "claude-3-5-haiku")]
    [InlineData("claude-3-opus-20240229", "claude-3-opus")]
    [InlineData("CLAUDE-OPUS-4-5", "claude-opus-4")]
    [InlineData("my-fine-tune", "my-fine-tune")]
    public void ClassOf_ShippedRules_PoolModelsAsTheApiDoes(string model, string expected)
    {
        ModelClassMap.Default.ClassOf(model).ShouldBe(expected);
    }

    [Fact]
    public void FromFile_OperatorRules_ComeBeforeTheShippedOnes()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".json");
        File.WriteAllText(path, """{"classes":[{"pattern":"claude-opus-4-5*","class":"opus-45"},{"pattern":"*-custom","class":"custom"}]}""");
        try
        {
            var map = ModelClassMap.FromFile(path);

            map.ClassOf("claude-opus-4-5-20251101").ShouldBe("opus-45");
            map.ClassOf("claude-opus-4-1").ShouldBe("claude-opus-4");
            map.ClassOf("mine-custom").ShouldBe("custom");
            ModelClassMap.FromFile(path, includeDefaults: false).ClassOf("claude-opus-4-1").ShouldBe("claude-opus-4-1");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parse_MissingClass_FailsNamingTheRule()
    {
        Should.Throw<FormatException>(() => ModelClassMap.Parse("""{"classes":[{"pattern":"a*","class":"a"},{"pattern":"b*"}]}"""))
            .Message.ShouldContain("rule 2");
        Should.Throw<FormatException>(() => ModelClassMap.Parse("not json"));
    }

    [Theory]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "abbbd", false)]
    [InlineData("*x*", "yyxyy", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    [InlineData("**", "", true)]
    public void Glob_Patterns_MatchAsWritten(string pattern, string text, bool expected)
    {
        Glob.IsMatch(pattern, text).ShouldBe(expected);
    }

    [Fact]
    public void ClassOf_KnownModel_AllocatesNothing()
    {
        var map = new ModelClassMap([new("claude-sonnet-4*", "claude-sonnet-4")]);
        const string model = "claude-sonnet-4-5";
        map.ClassOf(model);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            map.ClassOf(model);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
