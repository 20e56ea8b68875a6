using System.Globalization;
using Pacer.Configuration;

namespace Pacer.Tests.Limiting;

/// <summary>
/// A learned bucket holds no more than the server's bucket is sure to hold, as remaining and reset show it (remaining -
/// rounding + (reset - 1 s) × limit / 60): between two responses the local bucket refills no higher than the server's.
/// </summary>
public sealed class LimiterLearnedCapacityTests
{
    private static readonly PacerOptions Wide = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 };

    [Fact]
    public void Refill_SmallServerBucket_StopsAtItsCapacity()
    {
        using var fixture = new LimiterFixture(Wide);

        // 1,000 remaining - 500 rounding + 4 s × 333.3 per second: the server's bucket surely holds 1,833.3 tokens.
        Observe(fixture, remaining: 1_000, resetSeconds: 5);
        fixture.Advance(TimeSpan.FromSeconds(60));

        OutputRemaining(fixture).ShouldBe(1_833);
    }

    [Fact]
    public void Refill_ServerBucketSeenFull_RefillsToTheLimit()
    {
        using var fixture = new LimiterFixture(Wide);
        Observe(fixture, remaining: 20_000, resetSeconds: 0);

        Observe(fixture, remaining: 10_000, resetSeconds: 30);
        fixture.Advance(TimeSpan.FromSeconds(60));

        OutputRemaining(fixture).ShouldBe(20_000);
    }

    [Fact]
    public void Acquire_LargerThanTheServerBucket_WaitsForItFullThenGoesIntoDebt()
    {
        using var fixture = new LimiterFixture(Wide with { OutputReservation = OutputReservation.MaxTokens });
        Observe(fixture, remaining: 1_000, resetSeconds: 5);

        // max_tokens 3,000 never fits a 1,833.3 bucket; it passes once the bucket is full (2.5 s), leaving a debt.
        var large = fixture.Start(output: 3_000);
        fixture.ShouldAdmitAfter(large, TimeSpan.FromMilliseconds(2_500));
        OutputRemaining(fixture).ShouldBe(0);
    }

    private static void Observe(LimiterFixture fixture, long remaining, double resetSeconds)
    {
        using var response = new HttpResponseMessage();
        var now = fixture.Time.GetUtcNow();
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-limit", "20000");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-remaining", remaining.ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-reset", now.AddSeconds(resetSeconds).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", response.Headers);
    }

    private static long? OutputRemaining(LimiterFixture fixture) =>
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().OutputTokens.Remaining;
}
