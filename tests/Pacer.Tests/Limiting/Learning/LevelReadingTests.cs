using Pacer.Limiting;

namespace Pacer.Tests.Limiting.Learning;

public sealed class LevelReadingTests
{
    [Theory]
    [InlineData(false, 0, -1)] // counted as produced, a header of 0 may hide any debt below empty: it proves no capacity
    [InlineData(false, 1000, 1166.67)] // 1,000 less the 500 of rounding, and 2 s of refill before the reset (3 s less the second the reset rounds)
    [InlineData(true, 0, 166.67)] // reserved on arrival, the level never goes below empty: 0 less the rounding (none left), and 2 s of refill
    public void Of_OutputHeader_ShowsCapacityOnlyWhereTheLevelCannotLieBelowEmpty(bool reserved, long remaining, double capacity)
    {
        var observation = new RateLimitObservation(default, default, new BudgetObservation(20_000, remaining, TimeSpan.FromSeconds(3)));

        var level = LevelReading.Of(observation, reserved).OutputTokens;

        level.ShownCapacity.ShouldBe(capacity, tolerance: 0.01);
    }

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(false, false, false)] // the operator asked for whole max_tokens holds
    [InlineData(true, true, false)] // reserved on arrival: the server charged the holds already
    public void Of_HeldUnproduced_MarksOnlyOutputCountedAsProduced(bool reserved, bool heldUnproduced, bool expected)
    {
        var observation = new RateLimitObservation(default, default, new BudgetObservation(20_000, 1000, TimeSpan.FromSeconds(1)));

        LevelReading.Of(observation, reserved, heldUnproduced).OutputTokens.HeldUnproduced.ShouldBe(expected);
    }
}
