using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary><see cref="PacerOptions.OutputReservation"/>: what a request holds against a learned output budget.</summary>
public sealed class LimiterOutputReservationTests
{
    private const string Model = "claude-sonnet-4-5";

    private static readonly PacerOptions Wide = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 };

    [Theory]
    [InlineData(OutputReservation.MaxTokens, 7)]
    [InlineData(OutputReservation.Estimate, 50)]
    public void Acquire_LearnedOutputBudget_AdmitsPerMode(OutputReservation mode, int expected)
    {
        using var fixture = Calibrated(Wide with { OutputReservation = mode }, output: 1_000);
        Learn(fixture, limit: 60_000, remaining: 60_000);

        Admitted(fixture, maxTokens: 8_000, most: 50).ShouldBe(expected);
    }

    [Fact]
    public void Acquire_EstimateBeforeAnyOutputIsSeen_HoldsMaxTokens()
    {
        using var fixture = new LimiterFixture(Wide with { OutputReservation = OutputReservation.Estimate });
        Learn(fixture, limit: 60_000, remaining: 60_000);

        // Each holds 8,000; counted as produced, half of what the requests in flight hold is lent: 8,000 + 13 × 4,000.
        Admitted(fixture, maxTokens: 8_000, most: 50).ShouldBe(14);
    }

    [Fact]
    public void Acquire_QueuedBeforeTheEstimateWarmsUp_HoldsTheEstimateOfWhenItIsAdmitted()
    {
        using var fixture = new LimiterFixture(Wide with { OutputReservation = OutputReservation.Estimate });
        Learn(fixture, limit: 60_000, remaining: 10_000);
        var first = fixture.AcquireNow(model: Model, output: 8_000);
        var queued = fixture.Start(model: Model, output: 8_000);
        queued.IsCompleted.ShouldBeFalse();

        for (var i = 0; i < OutputTokenEstimator.WarmUp; i++)
        {
            fixture.Limiter.OutputEstimator.Calibrate(Model, 1_000);
        }

        first.Dispose();

        using var admitted = queued.Permit;
        admitted.Reserved.LearnedOutputTokens.ShouldBe(1_000);
        OutputRemaining(fixture).ShouldBe(9_000);
    }

    [Fact]
    public void Acquire_Estimate_HoldsTheEstimateCappedByMaxTokens()
    {
        using var fixture = Calibrated(Wide with { OutputReservation = OutputReservation.Estimate }, output: 1_000);
        Learn(fixture, limit: 60_000, remaining: 60_000);

        using var large = fixture.AcquireNow(output: 8_000);
        OutputRemaining(fixture).ShouldBe(59_000);
        using var small = fixture.AcquireNow(output: 300);
        OutputRemaining(fixture).ShouldBe(58_700);
        large.Reserved.OutputTokens.ShouldBe(8_000);
        large.Reserved.LearnedOutputTokens.ShouldBe(1_000);
    }

    [Fact]
    public void Complete_Estimate_ChargesTheRealOutput()
    {
        using var fixture = Calibrated(Wide with { OutputReservation = OutputReservation.Estimate }, output: 1_000);
        Learn(fixture, limit: 60_000, remaining: 60_000);

        using var permit = fixture.AcquireNow(output: 8_000);
        permit.Complete(new TokenUsage(InputTokens: 1, OutputTokens: 4_000));

        OutputRemaining(fixture).ShouldBe(56_000);
    }

    [Fact]
    public void Dispose_EstimateNeverCompleted_ReturnsWhatItHeld()
    {
        using var fixture = Calibrated(Wide with { OutputReservation = OutputReservation.Estimate }, output: 1_000);
        Learn(fixture, limit: 60_000, remaining: 60_000);

        fixture.AcquireNow(output: 8_000).Dispose();

        OutputRemaining(fixture).ShouldBe(60_000);
    }

    [Fact]
    public void Acquire_EstimateWithOperatorOutputBudget_OperatorStillHoldsMaxTokens()
    {
        using var fixture = Calibrated(Wide with { OutputReservation = OutputReservation.Estimate, OutputTokensPerMinute = 16_000 }, output: 1_000);

        using var first = fixture.AcquireNow(output: 8_000);
        using var second = fixture.AcquireNow(output: 8_000);
        fixture.Start(output: 8_000).IsCompleted.ShouldBeFalse();
    }

    private static LimiterFixture Calibrated(PacerOptions options, int output)
    {
        var fixture = new LimiterFixture(options);
        for (var i = 0; i < 20; i++)
        {
            fixture.Limiter.OutputEstimator.Calibrate(Model, output);
        }

        return fixture;
    }

    private static void Learn(LimiterFixture fixture, long limit, long remaining) =>
        fixture.Limiter.Observe("k", Model, LimiterBudgetTests.Headers(fixture.Time.GetUtcNow(), ("output-tokens", limit, remaining)));

    private static int Admitted(LimiterFixture fixture, int maxTokens, int most)
    {
        var held = new List<Permit>();
        try
        {
            while (held.Count < most && fixture.Limiter.TryAcquire(LimiterFixture.Request(model: Model, output: maxTokens), out var permit))
            {
                held.Add(permit);
            }

            return held.Count;
        }
        finally
        {
            held.ForEach(p => p.Dispose());
        }
    }

    private static long? OutputRemaining(LimiterFixture fixture) =>
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().OutputTokens.Remaining;
}
