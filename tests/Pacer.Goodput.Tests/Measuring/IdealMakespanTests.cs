using Pacer.Goodput.Measuring;

namespace Pacer.Goodput.Tests.Measuring;

public sealed class IdealMakespanTests
{
    private static readonly LatencyModel NoLatency = new(Enabled: false, TimeSpan.Zero, TokensPerSecond: 1);
    private static readonly LatencyModel Model = new(Enabled: true, TimeSpan.FromMilliseconds(400), TokensPerSecond: 80);

    [Theory]
    [InlineData(600, 5, 500, 45)] // capacity 50 requests, then 10 per second: (500 - 50) / 10
    [InlineData(600, 60, 500, 0)] // the full bucket holds all 500
    [InlineData(600, 60, 1200, 60)] // (1200 - 600) / 10
    [InlineData(100_000, 5, 116_000, 64.6)] // capacity 8,333.3 tokens, refill 1,666.7 per second
    [InlineData(60, 0.001, 61, 60)] // the capacity is never below one unit: (61 - 1) / 1
    public void AdmissionBound_BucketStartsFull_SubtractsTheCapacityThenDividesByTheRefill(double perMinute, double burstSeconds, double demand, double expectedSeconds)
    {
        IdealMakespan.AdmissionBound(perMinute, burstSeconds, demand).TotalSeconds.ShouldBe(expectedSeconds, tolerance: 0.01);
    }

    [Fact]
    public void ServiceTime_IsTimeToFirstTokenPlusOutputAtTheModelsSpeed()
    {
        IdealMakespan.ServiceTime(Model, 40).ShouldBe(TimeSpan.FromMilliseconds(900));
        IdealMakespan.ServiceTime(NoLatency, 40).ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void Compute_InputTokensBinding_AddsOneMeanServiceTime()
    {
        // 500 requests of 232 input and 40 output tokens: input (116,000 - 8,333.3) / 1,666.7 = 64.6 s binds;
        // requests (500 - 50) / 10 = 45 s; output (20,000 - 1,666.7) / 333.3 = 55 s.
        var demand = Enumerable.Repeat(new RequestDemand(232, 40), 500).ToList();

        var ideal = IdealMakespan.Compute(demand, new LimitSet(600, 100_000, 20_000, BurstSeconds: 5), Model, callers: 64);

        ideal.Requests.TotalSeconds.ShouldBe(45, tolerance: 0.001);
        ideal.InputTokens.TotalSeconds.ShouldBe(64.6, tolerance: 0.001);
        ideal.OutputTokens.TotalSeconds.ShouldBe(55, tolerance: 0.001);
        ideal.MeanServiceTime.ShouldBe(TimeSpan.FromMilliseconds(900));
        ideal.Concurrency.TotalSeconds.ShouldBe(500 * 0.9 / 64, tolerance: 0.001);
        ideal.Binding.ShouldBe("input_tokens");
        ideal.Ideal.TotalSeconds.ShouldBe(65.5, tolerance: 0.001);
        ideal.TotalInputTokens.ShouldBe(116_000);
        ideal.TotalOutputTokens.ShouldBe(20_000);
    }

    [Fact]
    public void Compute_OutputTokensBinding_UsesTheTokensProducedNotMaxTokens()
    {
        var demand = Enumerable.Repeat(new RequestDemand(10, 100), 100).ToList(); // 10,000 output tokens

        var ideal = IdealMakespan.Compute(demand, new LimitSet(6000, 1_000_000, 6_000, BurstSeconds: 10), NoLatency, callers: 8);

        ideal.Binding.ShouldBe("output_tokens");
        ideal.Ideal.TotalSeconds.ShouldBe((10_000 - 1_000) / 100.0, tolerance: 0.001);
    }

    [Fact]
    public void Compute_FewCallersAndLooseLimits_TheConcurrencyBoundWins()
    {
        var demand = Enumerable.Repeat(new RequestDemand(100, 80), 40).ToList(); // each 0.4 + 1.0 s

        var ideal = IdealMakespan.Compute(demand, new LimitSet(1000, 1_000_000, 1_000_000, BurstSeconds: 60), Model, callers: 4);

        ideal.Binding.ShouldBe("concurrency");
        ideal.Ideal.TotalSeconds.ShouldBe(40 * 1.4 / 4, tolerance: 0.001);
    }

    [Fact]
    public void Compute_OneVeryLongReply_TheLongestRequestWins()
    {
        List<RequestDemand> demand = [new(100, 1024), .. Enumerable.Repeat(new RequestDemand(100, 8), 20)];

        var ideal = IdealMakespan.Compute(demand, new LimitSet(1000, 1_000_000, 1_000_000, BurstSeconds: 60), Model, callers: 64);

        ideal.Binding.ShouldBe("longest_request");
        ideal.Ideal.TotalSeconds.ShouldBe(0.4 + (1024 / 80.0), tolerance: 0.001);
    }
}
