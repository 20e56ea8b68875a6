using Pacer.Goodput.Measuring;

namespace Pacer.Goodput.Tests.Measuring;

public sealed class PercentilesTests
{
    [Theory]
    [InlineData(50, 5)]
    [InlineData(90, 9)]
    [InlineData(99, 10)]
    [InlineData(100, 10)]
    [InlineData(10, 1)]
    [InlineData(10.1, 2)]
    [InlineData(1, 1)]
    public void Of_TenValues_TakesTheNearestRank(double percentile, double expected)
    {
        double[] values = [7, 3, 10, 1, 5, 9, 2, 8, 4, 6];

        Percentiles.Of(values, percentile).ShouldBe(expected);
    }

    [Fact]
    public void Of_HundredValues_P99IsTheNinetyNinthSmallest()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)(101 - i)).ToArray();

        Percentiles.Of(values, 99).ShouldBe(99);
        Percentiles.Of(values, 50).ShouldBe(50);
    }

    [Fact]
    public void Of_OneValue_IsThatValueForEveryPercentile()
    {
        Percentiles.Of([42.5], 0.1).ShouldBe(42.5);
        Percentiles.Of([42.5], 99).ShouldBe(42.5);
    }

    [Fact]
    public void Of_NoValues_IsNaN()
    {
        double.IsNaN(Percentiles.Of([], 50)).ShouldBeTrue();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void Of_PercentileOutOfRange_Throws(double percentile)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Percentiles.Of([1, 2, 3], percentile));
    }

    [Fact]
    public void LatencySummary_Of_GivesCountMedianAndP99()
    {
        var summary = LatencySummary.Of([.. Enumerable.Range(1, 200).Select(i => i * 1.5)]);

        summary.ShouldBe(new LatencySummary(200, 150, 297));
    }
}
