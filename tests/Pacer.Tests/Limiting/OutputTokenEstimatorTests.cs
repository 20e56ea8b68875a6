using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>The per-model output estimate: max_tokens until warmed up, then the moving mean with outliers capped, floored and capped by max_tokens.</summary>
public sealed class OutputTokenEstimatorTests
{
    private const string Model = "claude-sonnet-4-5";

    [Fact]
    public void Reserve_BeforeWarmUp_HoldsMaxTokens()
    {
        var estimator = new OutputTokenEstimator();
        for (var i = 0; i < OutputTokenEstimator.WarmUp - 1; i++)
        {
            estimator.Calibrate(Model, 100);
        }

        estimator.Reserve(Model, 8_000).ShouldBe(8_000);
    }

    [Fact]
    public void Reserve_SteadyOutputs_CalibratesToThem()
    {
        var estimator = new OutputTokenEstimator();
        for (var i = 0; i < 50; i++)
        {
            estimator.Calibrate(Model, 500);
        }

        estimator.Reserve(Model, 8_000).ShouldBe(500);
        estimator.Reserve("claude-opus-4-5", 8_000).ShouldBe(8_000);
    }

    [Fact]
    public void Reserve_VaryingOutputs_HoldsTheirMean()
    {
        var estimator = new OutputTokenEstimator();
        for (var i = 0; i < 100; i++)
        {
            estimator.Calibrate(Model, i % 2 == 0 ? 400 : 600);
        }

        var estimate = estimator.Reserve(Model, 8_000);
        estimate.ShouldBeGreaterThanOrEqualTo(480);
        estimate.ShouldBeLessThanOrEqualTo(620);
    }

    [Fact]
    public void Reserve_AReplyAtMaxTokens_MovesTheEstimateByNoMoreThanItsCappedShare()
    {
        var estimator = new OutputTokenEstimator();
        for (var i = 0; i < 50; i++)
        {
            estimator.Calibrate(Model, 100);
        }

        estimator.Calibrate(Model, 8_000);

        // Counted as at most OutlierMultiple times the mean (400), with the weight of one observation.
        var estimate = estimator.Reserve(Model, 8_000);
        estimate.ShouldBeGreaterThan(100);
        estimate.ShouldBeLessThanOrEqualTo((int)Math.Ceiling(100 + (OutputTokenEstimator.Smoothing * ((OutputTokenEstimator.OutlierMultiple * 100) - 100))));
    }

    [Fact]
    public void Reserve_ShortRepliesWithAFewAtMaxTokens_StaysNearTheirMean()
    {
        // Replies of 60 tokens on average, one in fifty running to max_tokens 1024: the shape of a short-burst output bucket.
        var estimator = new OutputTokenEstimator();
        var random = new Random(7);
        var held = new List<int>();
        for (var i = 0; i < 500; i++)
        {
            estimator.Calibrate(Model, random.NextDouble() < 0.02 ? 1_024 : (int)Math.Min(1_024, -60 * Math.Log(1 - random.NextDouble())));
            if (i >= 100)
            {
                held.Add(estimator.Reserve(Model, 1_024));
            }
        }

        held.Average().ShouldBeLessThan(110);
        held.Max().ShouldBeLessThan(300);
    }

    [Fact]
    public void Reserve_AfterLargerOutputs_MovesUp()
    {
        var estimator = new OutputTokenEstimator();
        for (var i = 0; i < 20; i++)
        {
            estimator.Calibrate(Model, 200);
        }

        var before = estimator.Reserve(Model, 8_000);
        for (var i = 0; i < 20; i++)
        {
            estimator.Calibrate(Model, 2_000);
        }

        estimator.Reserve(Model, 8_000).ShouldBeGreaterThan(before + 1_000);
    }

    [Fact]
    public void Reserve_CappedByMaxTokensAndFloored()
    {
        var estimator = new OutputTokenEstimator();
        for (var i = 0; i < 20; i++)
        {
            estimator.Calibrate(Model, 3);
        }

        estimator.Reserve(Model, 8_000).ShouldBe(OutputTokenEstimator.Floor);
        estimator.Reserve(Model, 10).ShouldBe(10);
    }
}
