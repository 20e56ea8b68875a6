using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>The per-model output estimate: max_tokens until warmed up, then mean plus deviations, floored and capped.</summary>
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
    public void Reserve_VaryingOutputs_SitsAboveTheMean()
    {
        var estimator = new OutputTokenEstimator();
        for (var i = 0; i < 100; i++)
        {
            estimator.Calibrate(Model, i % 2 == 0 ? 400 : 600);
        }

        var estimate = estimator.Reserve(Model, 8_000);
        estimate.ShouldBeGreaterThan(600);
        estimate.ShouldBeLessThan(800);
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
