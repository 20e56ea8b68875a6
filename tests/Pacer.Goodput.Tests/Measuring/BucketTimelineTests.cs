using Pacer.Goodput.Measuring;
using Pacer.Simulator;

namespace Pacer.Goodput.Tests.Measuring;

public sealed class BucketTimelineTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 5, 0, 0, TimeSpan.Zero);

    private static SimulatorAttempt Attempt(double seconds, long input, int status = 200, double service = 1, long? retryAfter = null) => new()
    {
        Path = "/v1/messages",
        ArrivedAt = Start.AddSeconds(seconds),
        CompletedAt = Start.AddSeconds(seconds + service),
        Status = status,
        InputTokens = input,
        RetryAfterSeconds = retryAfter,
    };

    [Fact]
    public void Of_BucketRefillsPastFull_CountsTheLostRefillAndWhatWasLeft()
    {
        // Capacity 1,000, refill 100 per second. 200 at 0 s leaves 800, full again at 2 s: 3 s of refill lost before
        // 500 at 5 s, which leaves 500 (5 s of refill). A 429 at 3 s asks 1 s of cooldown, all while the bucket was full.
        var attempts = new[] { Attempt(0, 200), Attempt(3, 9_000, status: 429, service: 0, retryAfter: 1), Attempt(5, 500, service: 2.5) };

        var timeline = BucketTimeline.Of(attempts, capacity: 1_000, refillPerSecond: 100);

        timeline.LastAdmissionSeconds.ShouldBe(5, tolerance: 1e-9);
        timeline.FullSeconds.ShouldBe(3, tolerance: 1e-9);
        timeline.FullSecondsEarly.ShouldBe(3, tolerance: 1e-9);
        timeline.FullDuringCooldownSeconds.ShouldBe(1, tolerance: 1e-9);
        timeline.LeftSeconds.ShouldBe(5, tolerance: 1e-9);
        timeline.TailSeconds.ShouldBe(2.5, tolerance: 1e-9);
        timeline.RetryAfterSeconds.ShouldBe(1);
        timeline.MeanLevel.ShouldBe(1_000, tolerance: 1e-9);
        timeline.LongestPause.ShouldBe((3.0, 0.0));
    }

    [Fact]
    public void LevelsAt_BetweenAdmissions_RefillsUpToTheCapacity()
    {
        var attempts = new[] { Attempt(0, 600), Attempt(1, 300) };

        var levels = BucketTimeline.LevelsAt(attempts, capacity: 1_000, refillPerSecond: 100, [Start.AddSeconds(0.5), Start.AddSeconds(2), Start.AddSeconds(60)]);

        levels.ShouldBe(new double[] { 450, 300, 1_000 });
    }
}
