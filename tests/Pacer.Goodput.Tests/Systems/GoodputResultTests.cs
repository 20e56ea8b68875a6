using Pacer.Goodput.Measuring;
using Pacer.Goodput.Systems;
using Pacer.Goodput.Workloads;
using Pacer.Simulator;

namespace Pacer.Goodput.Tests.Systems;

public sealed class GoodputResultTests
{
    private static readonly IdealBreakdown Ideal = new(
        Requests: TimeSpan.FromSeconds(9), InputTokens: TimeSpan.FromSeconds(3), OutputTokens: TimeSpan.Zero,
        MeanServiceTime: TimeSpan.FromSeconds(1), Concurrency: TimeSpan.FromSeconds(2), LongestRequest: TimeSpan.FromSeconds(4),
        TotalInputTokens: 1000, TotalOutputTokens: 100);

    private static SimulatorAttempt Attempt(string tag, int status, long output = 0, string? limit = null) => new()
    {
        Path = "/v1/messages",
        Status = status,
        LimitHit = limit,
        OutputTokens = output,
        Headers = new Dictionary<string, string> { [RequestTag.HeaderName] = tag },
    };

    [Fact]
    public void From_CountsAttempts429sAndTheDistinctRequestsThatMetThem()
    {
        var run = new RunRecord(TimeSpan.FromSeconds(11), [
            new RequestRecord(0, TimeSpan.Zero, TimeSpan.FromSeconds(1), CallOutcome.Ok),
            new RequestRecord(1, TimeSpan.Zero, TimeSpan.FromSeconds(3), CallOutcome.Ok),
            new RequestRecord(2, TimeSpan.Zero, TimeSpan.FromSeconds(2), CallOutcome.Failed("HTTP 429")),
        ], BoundReached: false);
        SimulatorAttempt[] attempts =
        [
            Attempt("w0", 200, output: 7),
            Attempt("w1", 429, limit: "input_tokens"), Attempt("w1", 429, limit: "requests"), Attempt("w1", 200, output: 5),
            Attempt("w2", 429, limit: "input_tokens"), Attempt("w2", 429, limit: "input_tokens"),
            new() { Path = "/v1/messages/count_tokens", Status = 429 },
        ];

        var result = GoodputResult.From(new SystemUnderTest(4, "pacer-learning", "", (_, _, _) => throw new NotSupportedException()), run, attempts, Ideal);

        result.Attempts.ShouldBe(6);
        result.Upstream429.ShouldBe(4);
        result.RequestsMeeting429.ShouldBe(2);
        result.Upstream429ByLimit.ShouldBe(new Dictionary<string, int> { ["input_tokens"] = 3, ["requests"] = 1 });
        result.Failed.ShouldBe(1);
        result.Failures.ShouldBe(new Dictionary<string, int> { ["HTTP 429"] = 1 });
        result.OutputTokensServed.ShouldBe(12);
        result.IdealSeconds.ShouldBe(10);
        result.MakespanRatio.ShouldBe(1.1, tolerance: 1e-9);
        result.P50Ms.ShouldBe(1000);
        result.P99Ms.ShouldBe(3000);
        result.MeetsTargets.ShouldBeFalse();
        result.ToJsonLine().ShouldStartWith("""{"number":4,"system":"pacer-learning","requests":3,""");
    }

    [Fact]
    public void MeetsTargets_WithinFivePercentNo429AndNoFailure_IsTrue()
    {
        var run = new RunRecord(TimeSpan.FromSeconds(10.5), [new RequestRecord(0, TimeSpan.Zero, TimeSpan.FromSeconds(1), CallOutcome.Ok)], BoundReached: false);

        var result = GoodputResult.From(new SystemUnderTest(5, "pacer-gateway", "", (_, _, _) => throw new NotSupportedException()), run, [Attempt("w0", 200)], Ideal);

        result.MeetsTargets.ShouldBeTrue();
    }
}
