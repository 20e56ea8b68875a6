using Pacer.Goodput.Measuring;

namespace Pacer.Goodput.Tests.Measuring;

public sealed class BucketReplayTests
{
    private static readonly LatencyModel NoLatency = new(Enabled: false, TimeSpan.Zero, TokensPerSecond: 1);

    // Requests and input far from binding; output 600 a minute (10 a second) in a bucket of 10 s (100 tokens).
    private static readonly LimitSet TightOutput = new(RequestsPerMinute: 60_000, InputTokensPerMinute: 6_000_000, OutputTokensPerMinute: 600, BurstSeconds: 10);

    [Fact]
    public void Makespan_MaxTokensReservedOnArrival_WaitsForTheReservationNotForTheTokensProduced()
    {
        // Each request holds 100 and gives 90 back at once: the next one waits for 10 tokens of refill, 1 s.
        var demand = Enumerable.Repeat(new RequestDemand(10, 10), 3).ToList();

        var makespan = BucketReplay.Makespan(demand, [100, 100, 100], TightOutput, NoLatency, callers: 1, reserve: true);

        makespan.TotalSeconds.ShouldBe(2, tolerance: 1e-6);
        IdealMakespan.Compute(demand, TightOutput, NoLatency, callers: 1).Ideal.ShouldBe(TimeSpan.Zero, "the closed form counts only the 30 tokens produced, which the bucket holds");
    }

    [Fact]
    public void Makespan_RefundDueBeforeTheRefill_AdmitsTheNextRequestAtTheRefund()
    {
        // One second of service each, nothing produced: the whole 100 comes back when an answer ends, 9 s before refill would bring it.
        var latency = new LatencyModel(Enabled: true, TimeSpan.FromSeconds(1), TokensPerSecond: 1000);
        var demand = Enumerable.Repeat(new RequestDemand(10, 0), 3).ToList();

        var makespan = BucketReplay.Makespan(demand, [100, 100, 100], TightOutput, latency, callers: 2, reserve: true);

        makespan.TotalSeconds.ShouldBe(3, tolerance: 1e-6);
    }

    [Fact]
    public void Makespan_CountedAsProduced_ChargesTheOutputWhenTheAnswerEnds()
    {
        // Each answer produces 100 tokens: the first empties the bucket when it ends, the next waits for one token, 0.1 s.
        var demand = Enumerable.Repeat(new RequestDemand(10, 100), 3).ToList();

        var makespan = BucketReplay.Makespan(demand, [1000, 1000, 1000], TightOutput, NoLatency, callers: 1, reserve: false);

        makespan.TotalSeconds.ShouldBe(10.1, tolerance: 1e-6);
    }

    [Fact]
    public void Makespan_LastRequestsLong_CountsTheirOwnServiceTime()
    {
        // Two callers, the last request the longest: it ends 1 + 10 s after it starts, not one mean service time.
        var latency = new LatencyModel(Enabled: true, TimeSpan.FromSeconds(1), TokensPerSecond: 10);
        var roomy = new LimitSet(60_000, 6_000_000, 6_000_000, BurstSeconds: 60);
        List<RequestDemand> demand = [new(10, 0), new(10, 0), new(10, 100)];

        BucketReplay.Makespan(demand, [100, 100, 100], roomy, latency, callers: 2, reserve: false).TotalSeconds.ShouldBe(12, tolerance: 1e-6);
    }

    [Fact]
    public void Makespan_ServiceTimesGiven_TakesThemInsteadOfTheLatencyModels()
    {
        // The same workload as above, but the upstream drew 14 s for the long request (the model says 11) and 0.5 s for the others.
        var latency = new LatencyModel(Enabled: true, TimeSpan.FromSeconds(1), TokensPerSecond: 10);
        var roomy = new LimitSet(60_000, 6_000_000, 6_000_000, BurstSeconds: 60);
        List<RequestDemand> demand = [new(10, 0), new(10, 0), new(10, 100)];
        TimeSpan[] drawn = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(14)];

        BucketReplay.Makespan(demand, [100, 100, 100], roomy, latency, callers: 2, reserve: false, drawn).TotalSeconds.ShouldBe(14.5, tolerance: 1e-6);
    }

    [Fact]
    public void Makespan_ServiceTimesOfAnotherLength_SaysSo()
    {
        Should.Throw<ArgumentException>(() => BucketReplay.Makespan([new RequestDemand(10, 10)], [100], TightOutput, NoLatency, callers: 1, reserve: true, [TimeSpan.Zero, TimeSpan.Zero]))
            .Message.ShouldContain("1 demands but 2 service times");
    }

    [Fact]
    public void Makespan_RoomyBuckets_IsTheCallersWork()
    {
        var latency = new LatencyModel(Enabled: true, TimeSpan.FromSeconds(1), TokensPerSecond: 10);
        var roomy = new LimitSet(60_000, 6_000_000, 6_000_000, BurstSeconds: 60);
        var demand = Enumerable.Repeat(new RequestDemand(10, 10), 4).ToList();

        BucketReplay.Makespan(demand, [100, 100, 100, 100], roomy, latency, callers: 2, reserve: true).TotalSeconds.ShouldBe(4, tolerance: 1e-6);
    }

    [Fact]
    public void Makespan_MaxTokensAboveTheBucket_SaysTheRequestCanNeverFit()
    {
        Should.Throw<InvalidOperationException>(() => BucketReplay.Makespan([new RequestDemand(10, 10)], [101], TightOutput, NoLatency, callers: 1, reserve: true))
            .Message.ShouldContain("max_tokens 101");
    }

    [Fact]
    public void Ideal_ReplayLongerThanTheClosedForm_SetsTheIdealAndNamesIt()
    {
        var demand = Enumerable.Repeat(new RequestDemand(10, 10), 3).ToList();
        var ideal = IdealMakespan.Compute(demand, TightOutput, NoLatency, callers: 1) with { Replayed = TimeSpan.FromSeconds(2) };

        (ideal.Ideal, ideal.Binding).ShouldBe((TimeSpan.FromSeconds(2), "replay"));
    }
}
