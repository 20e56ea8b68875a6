using System.Globalization;
using System.Net.Http.Headers;
using Pacer.Configuration;

namespace Pacer.Tests.Limiting;

/// <summary>
/// The margin taken off an input-tokens remaining header (rounded to the nearest thousand by the API): half the step,
/// the whole step when the server's bucket (as far as remaining and reset show it) holds fewer than ten thousand tokens.
/// </summary>
public sealed class LimiterInputMarginTests
{
    private static readonly PacerOptions Wide = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 };

    [Theory]
    [InlineData(100_000, 50_000, 30.0, 49_500)]  // a whole minute's bucket: half the step
    [InlineData(100_000, 3_000, 3.0, 2_000)]     // surely 3,000 - 500 + 2 s × 1,667 = 5,833 < 10,000: the whole step
    [InlineData(100_000, 8_000, 3.0, 7_500)]     // 7,500 + 3,333 = 10,833: not small
    [InlineData(600, 300, 30.0, 300)]            // a limit below the step shows exact values: no margin
    public void Observe_InputRemaining_SubtractsTheMarginForTheBucketSize(long limit, long remaining, double resetSeconds, long expected)
    {
        using var fixture = new LimiterFixture(Wide);

        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), limit, remaining, resetSeconds));

        Remaining(fixture).ShouldBe(expected);
    }

    [Fact]
    public void Observe_NoReset_KeepsHalfTheStep()
    {
        using var fixture = new LimiterFixture(Wide);

        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), 100_000, 3_000, resetSeconds: null));

        Remaining(fixture).ShouldBe(2_500);
    }

    [Fact]
    public void Observe_BucketOnceShownSmall_KeepsTheWholeStepWhenFullAgain()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), 100_000, 3_000, 3.0));
        fixture.Advance(TimeSpan.FromSeconds(10));

        // Full again (reset now): 8,000 remaining is all the bucket holds, still small.
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), 100_000, 8_000, 0.0));

        Remaining(fixture).ShouldBe(7_000);
    }

    private static HttpResponseHeaders Headers(DateTimeOffset now, long limit, long remaining, double? resetSeconds)
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-limit", limit.ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-remaining", remaining.ToString(CultureInfo.InvariantCulture));
        if (resetSeconds is { } seconds)
        {
            response.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-reset", now.AddSeconds(seconds).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }

        return response.Headers;
    }

    private static long? Remaining(LimiterFixture fixture) =>
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().InputTokens.Remaining;
}
