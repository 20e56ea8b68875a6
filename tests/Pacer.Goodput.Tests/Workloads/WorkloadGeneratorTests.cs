using Pacer.Goodput.Workloads;

namespace Pacer.Goodput.Tests.Workloads;

public sealed class WorkloadGeneratorTests
{
    [Fact]
    public void Generate_SameSeed_GivesTheSameRequests()
    {
        var first = WorkloadGenerator.Generate(WorkloadSpec.Quick);
        var second = WorkloadGenerator.Generate(WorkloadSpec.Quick);

        first.ShouldBe(second);
        first.Count.ShouldBe(120);
        first.Select(i => i.Prompt).Distinct().Count().ShouldBe(120);
    }

    [Fact]
    public void Generate_FullSpec_FollowsTheShares()
    {
        var items = WorkloadGenerator.Generate(WorkloadSpec.Full);

        items.Count.ShouldBe(500);
        items.Select(i => i.MaxTokens).Distinct().Order().ShouldBe([64, 128, 256, 512, 1024]);
        items.Count(i => i.MaxTokens == 128).ShouldBeInRange(120, 180); // 30 % of 500, within sampling noise
        var words = items.Select(i => i.Prompt.Count(c => c == ' ')).ToList();
        words.Min().ShouldBeGreaterThanOrEqualTo(40);
        words.Max().ShouldBeLessThanOrEqualTo(901);
    }

    [Fact]
    public void Generate_FixedMaxTokens_KeepsThePromptsAndSetsEveryMaxTokens()
    {
        var mixed = WorkloadGenerator.Generate(WorkloadSpec.Quick);
        var fixedMax = WorkloadGenerator.Generate(WorkloadSpec.Quick with { FixedMaxTokens = 64 });

        fixedMax.Select(i => i.Prompt).ShouldBe(mixed.Select(i => i.Prompt));
        fixedMax.ShouldAllBe(i => i.MaxTokens == 64);
    }

    [Theory]
    [InlineData(0.0, "a")]
    [InlineData(0.49, "a")]
    [InlineData(0.5, "b")]
    [InlineData(0.99, "c")]
    [InlineData(1.0, "c")]
    public void Pick_TakesTheFirstEntryWhoseCumulativeShareExceedsTheDraw(double draw, string expected)
    {
        (double Share, string Name)[] entries = [(0.5, "a"), (0.3, "b"), (0.2, "c")];

        WorkloadGenerator.Pick(entries, draw, e => e.Share).Name.ShouldBe(expected);
    }
}
